package org.playcounter.store.table;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Song ids and their counts in one open-addressing table with linear probing: the ids' bytes in
 * an arena (a length byte, then the id), an {@code int} per slot pointing into it, and the counts
 * in a {@code long[]}. About 20 bytes a slot plus the id, where a boxed map entry costs over 100.
 * Not thread-safe: {@link SongTable} guards each one with its stripe's lock, and a drain hands a
 * whole table over to {@link SongCounts}.
 */
final class CountTable {
  /** The smallest number of slots, a power of two. */
  static final int MIN_SLOTS = 16;

  private byte[] arena;
  private int arenaUsed;
  /** Bytes of the arena that belong to removed ids. */
  private int garbage;
  /** Per slot, 1 + the arena offset of the id's length byte; 0 for an empty slot. */
  private int[] offsets;
  private long[] counts;
  private int size;

  CountTable() {
    this(MIN_SLOTS);
  }

  private CountTable(int slots) {
    this(slots, slots * 4);
  }

  private CountTable(int slots, int arenaBytes) {
    offsets = new int[slots];
    counts = new long[slots];
    arena = new byte[arenaBytes];
  }

  /** An empty table with room for {@code songs} songs before it grows. */
  static CountTable sized(int songs) {
    return new CountTable(slotsFor(songs));
  }

  /** The same, its ids' bytes about {@code idBytes} (their length bytes not counted). */
  static CountTable sized(int songs, long idBytes) {
    return new CountTable(slotsFor(songs), (int) Math.min(Integer.MAX_VALUE - 8,
        Math.max(MIN_SLOTS * 4, songs + idBytes)));
  }

  private static int slotsFor(int songs) {
    int slots = MIN_SLOTS;
    while (slots * 3L < songs * 4L + 4) {
      slots *= 2;
    }
    return slots;
  }

  /**
   * Adds {@code delta} to the count of the ASCII id in {@code b[from, from + length)}, inserting
   * it first if absent, and returns the new count: recovery's path, with no string made.
   *
   * @throws ArithmeticException if the count passes {@link Long#MAX_VALUE}
   */
  long replay(byte[] b, int from, int length, int hash, long delta) {
    int mask = offsets.length - 1;
    int slot = hash & mask;
    for (int at = offsets[slot]; at != 0; slot = (slot + 1) & mask, at = offsets[slot]) {
      if ((arena[at - 1] & 0xFF) == length
          && Arrays.equals(arena, at, at + length, b, from, from + length)) {
        return counts[slot] = Math.addExact(counts[slot], delta);
      }
    }
    if ((size + 1) * 4L > offsets.length * 3L) {
      resize(offsets.length * 2);
      return replay(b, from, length, hash, delta);
    }
    if (arenaUsed + 1 + length > arena.length) {
      arena = Arrays.copyOf(arena, Math.max(arena.length * 2, arenaUsed + 1 + length));
    }
    arena[arenaUsed] = (byte) length;
    System.arraycopy(b, from, arena, arenaUsed + 1, length);
    offsets[slot] = arenaUsed + 1;
    arenaUsed += 1 + length;
    counts[slot] = delta;
    size++;
    return delta;
  }

  /** Songs in the table. */
  int size() {
    return size;
  }

  /** The song's count, 0 when absent. */
  long get(String id, int hash) {
    int slot = find(id, hash);
    return slot >= 0 ? counts[slot] : 0;
  }

  /** Adds {@code delta} to the song's count, inserting it first if absent; the new count. */
  long add(String id, int hash, long delta) {
    int slot = find(id, hash);
    if (slot < 0) {
      slot = insert(id, hash, -slot - 1);
    }
    return counts[slot] += delta;
  }

  /** Sets the song's count, inserting it if absent. */
  void put(String id, int hash, long count) {
    int slot = find(id, hash);
    if (slot < 0) {
      slot = insert(id, hash, -slot - 1);
    }
    counts[slot] = count;
  }

  /** Removes the song and returns the count it had, 0 when absent. */
  long remove(String id, int hash) {
    int slot = find(id, hash);
    if (slot < 0) {
      return 0;
    }
    long count = counts[slot];
    garbage += 1 + (arena[offsets[slot] - 1] & 0xFF);
    deleteSlot(slot);
    if (garbage > arenaUsed / 2) {
      arena = compactArena(arena.length);
    }
    return count;
  }

  /** Removes every song whose count is not positive; for the end of a recovery. */
  void removeNonPositive() {
    for (int slot = 0; slot < offsets.length; ) {
      if (offsets[slot] != 0 && counts[slot] <= 0) {
        garbage += 1 + (arena[offsets[slot] - 1] & 0xFF);
        deleteSlot(slot); // a later entry may have shifted into this slot: look at it again
      } else {
        slot++;
      }
    }
  }

  /** A copy that shares nothing with this table. */
  CountTable copy() {
    CountTable copy = new CountTable(MIN_SLOTS);
    copy.arena = Arrays.copyOf(arena, arenaUsed);
    copy.arenaUsed = arenaUsed;
    copy.garbage = garbage;
    copy.offsets = offsets.clone();
    copy.counts = counts.clone();
    copy.size = size;
    return copy;
  }

  /** Hands every song with a positive count to {@code visitor}, in slot order. */
  <X extends Exception> void forEach(SongVisitor<X> visitor) throws X {
    for (int slot = 0; slot < offsets.length; slot++) {
      if (offsets[slot] != 0 && counts[slot] > 0) {
        visitor.visit(idAt(offsets[slot] - 1), counts[slot]);
      }
    }
  }

  /** Bytes this table holds on the heap, arrays only. */
  long bytes() {
    return arena.length + 4L * offsets.length + 8L * counts.length;
  }

  private int find(String id, int hash) {
    int mask = offsets.length - 1;
    for (int slot = hash & mask; ; slot = (slot + 1) & mask) {
      int at = offsets[slot];
      if (at == 0) {
        return -slot - 1;
      }
      if (matches(at - 1, id)) {
        return slot;
      }
    }
  }

  private boolean matches(int at, String id) {
    int length = arena[at] & 0xFF;
    if (length != id.length()) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      if (arena[at + 1 + i] != (byte) id.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private int insert(String id, int hash, int slot) {
    if ((size + 1) * 4L > offsets.length * 3L) {
      resize(offsets.length * 2);
      slot = -find(id, hash) - 1;
    }
    int length = id.length();
    if (arenaUsed + 1 + length > arena.length && garbage > arena.length / 4) {
      arena = compactArena(arena.length);
    }
    if (arenaUsed + 1 + length > arena.length) { // compaction may not free enough for a long id
      arena = Arrays.copyOf(arena,
          Math.max(arena.length + arena.length / 2, arenaUsed + 1 + length));
    }
    int at = arenaUsed;
    arena[at] = (byte) length;
    for (int i = 0; i < length; i++) {
      arena[at + 1 + i] = (byte) id.charAt(i);
    }
    arenaUsed += 1 + length;
    offsets[slot] = at + 1;
    counts[slot] = 0;
    size++;
    return slot;
  }

  /** Empties a slot and moves later entries of its probe run back, so no tombstone is needed. */
  private void deleteSlot(int slot) {
    int mask = offsets.length - 1;
    int hole = slot;
    for (int next = (hole + 1) & mask; offsets[next] != 0; next = (next + 1) & mask) {
      int home = hashAt(offsets[next] - 1) & mask;
      // The entry at next may fill the hole unless its home lies cyclically in (hole, next].
      boolean stays = hole <= next ? hole < home && home <= next : hole < home || home <= next;
      if (!stays) {
        offsets[hole] = offsets[next];
        counts[hole] = counts[next];
        hole = next;
      }
    }
    offsets[hole] = 0;
    counts[hole] = 0;
    size--;
  }

  private void resize(int slots) {
    int[] oldOffsets = offsets;
    long[] oldCounts = counts;
    byte[] oldArena = arena;
    offsets = new int[slots];
    counts = new long[slots];
    arena = new byte[Math.max(arenaUsed - garbage + arenaUsed / 2, slots * 4)];
    arenaUsed = 0;
    garbage = 0;
    int mask = slots - 1;
    for (int old = 0; old < oldOffsets.length; old++) {
      if (oldOffsets[old] != 0) {
        int from = oldOffsets[old] - 1;
        int slot = SongHash.of(oldArena, from + 1, oldArena[from] & 0xFF) & mask;
        while (offsets[slot] != 0) {
          slot = (slot + 1) & mask;
        }
        offsets[slot] = copyId(oldArena, from, arena);
        counts[slot] = oldCounts[old];
      }
    }
  }

  /** A new arena of {@code capacity} bytes with only the live ids, offsets updated. */
  private byte[] compactArena(int capacity) {
    byte[] old = arena;
    byte[] fresh = new byte[Math.max(capacity, arenaUsed - garbage)];
    arena = fresh;
    arenaUsed = 0;
    garbage = 0;
    for (int slot = 0; slot < offsets.length; slot++) {
      if (offsets[slot] != 0) {
        offsets[slot] = copyId(old, offsets[slot] - 1, fresh);
      }
    }
    return fresh;
  }

  /** Appends the id at {@code from} in {@code source} to the arena; returns its new offset + 1. */
  private int copyId(byte[] source, int from, byte[] target) {
    int length = 1 + (source[from] & 0xFF);
    System.arraycopy(source, from, target, arenaUsed, length);
    int at = arenaUsed;
    arenaUsed += length;
    return at + 1;
  }

  private String idAt(int at) {
    return new String(arena, at + 1, arena[at] & 0xFF, StandardCharsets.ISO_8859_1);
  }

  private int hashAt(int at) {
    return SongHash.of(arena, at + 1, arena[at] & 0xFF);
  }
}
