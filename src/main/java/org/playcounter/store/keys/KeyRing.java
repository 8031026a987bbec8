package org.playcounter.store.keys;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The storage of a {@link KeyTable}: keys in insertion order in a ring of parallel arrays, oldest
 * at the head, with an open-addressing index (linear probing, backward-shift deletion, at most
 * half full) from the key's 128-bit hash to its slot. A key of a single play costs 49 bytes and
 * no object; a bulk answer's body is the one thing held as an object. Not thread-safe: the table
 * guards it. A freed slot stays in the ring, {@link #FREE}, until the head passes it or the ring
 * is squeezed.
 */
final class KeyRing {
  static final byte FREE = 0;
  private static final int MIN_CAPACITY = 1024;

  private final int maxKeys;
  long[] hi = new long[0];
  long[] lo = new long[0];
  long[] fingerprints = new long[0];
  long[] times = new long[0];
  /** Per slot: the answer's value once answered; while in progress, the bytes its body may take. */
  long[] values = new long[0];
  /** Per slot: the key's state in the low 2 bits ({@link #FREE} for none), its kind above. */
  byte[] states = new byte[0];
  final Map<Integer, String> bodies = new HashMap<>();
  /** Ring slot + 1 per index slot; 0 is empty. */
  private int[] index = new int[0];
  int head;
  /** Slots from the head on, freed ones among them. */
  int size;

  KeyRing(int maxKeys) {
    this.maxKeys = maxKeys;
  }

  /** The slot after {@code slot}, around the ring. */
  int next(int slot) {
    return slot + 1 == hi.length ? 0 : slot + 1;
  }

  /** Adds a key at the ring's end and indexes it; returns its slot. */
  int add(long keyHi, long keyLo, long fingerprint, long time, byte state, long value,
      String body) {
    if (size == hi.length) {
      grow();
    }
    int slot = (head + size) % hi.length;
    hi[slot] = keyHi;
    lo[slot] = keyLo;
    fingerprints[slot] = fingerprint;
    times[slot] = time;
    values[slot] = value;
    states[slot] = state;
    if (body != null) {
      bodies.put(slot, body);
    }
    size++;
    insert(slot);
    return slot;
  }

  /** The slot of the key, or -1 when it is not held. */
  int find(long keyHi, long keyLo) {
    if (index.length == 0) {
      return -1;
    }
    for (int at = home(keyHi); index[at] != 0; at = (at + 1) & (index.length - 1)) {
      int slot = index[at] - 1;
      if (hi[slot] == keyHi && lo[slot] == keyLo && states[slot] != FREE) {
        return slot;
      }
    }
    return -1;
  }

  /** Takes a held slot out of the index and marks it free; its body goes too. */
  void free(int slot) {
    states[slot] = FREE;
    bodies.remove(slot);
    int mask = index.length - 1;
    int hole = home(hi[slot]);
    while (index[hole] != slot + 1) {
      hole = (hole + 1) & mask;
    }
    for (int next = (hole + 1) & mask; index[next] != 0; next = (next + 1) & mask) {
      int home = home(hi[index[next] - 1]);
      if (((next - home) & mask) >= ((next - hole) & mask)) {
        index[hole] = index[next];
        hole = next;
      }
    }
    index[hole] = 0;
  }

  /** Moves the head past the oldest slot, which the caller freed. */
  void advanceHead() {
    head = (head + 1) % hi.length;
    size--;
  }

  /** Bytes of the arrays: the ring and the index. */
  long bytes() {
    return hi.length * (5L * Long.BYTES + 1) + index.length * (long) Integer.BYTES;
  }

  private void insert(int slot) {
    int at = home(hi[slot]);
    while (index[at] != 0) {
      at = (at + 1) & (index.length - 1);
    }
    index[at] = slot + 1;
  }

  private int home(long keyHi) {
    return (int) (keyHi ^ keyHi >>> 32) & (index.length - 1);
  }

  /**
   * Doubles the ring, up to twice the key limit, or at that size squeezes out the free slots (at
   * least half of them, as at most {@code maxKeys} are held); oldest first from slot 0; rebuilds
   * the index.
   */
  private void grow() {
    int capacity = (int) Math.min(2L * maxKeys, Math.max(MIN_CAPACITY, 2L * hi.length));
    long[] newHi = new long[capacity];
    long[] newLo = new long[capacity];
    long[] newFingerprints = new long[capacity];
    long[] newTimes = new long[capacity];
    long[] newValues = new long[capacity];
    byte[] newStates = new byte[capacity];
    Map<Integer, String> moved = new HashMap<>();
    int kept = 0;
    for (int k = 0; k < size; k++) {
      int from = (head + k) % hi.length;
      if (states[from] == FREE) {
        continue;
      }
      int i = kept++;
      newHi[i] = hi[from];
      newLo[i] = lo[from];
      newFingerprints[i] = fingerprints[from];
      newTimes[i] = times[from];
      newValues[i] = values[from];
      newStates[i] = states[from];
      String body = bodies.get(from);
      if (body != null) {
        moved.put(i, body);
      }
    }
    hi = newHi;
    lo = newLo;
    fingerprints = newFingerprints;
    times = newTimes;
    values = newValues;
    states = newStates;
    bodies.clear();
    bodies.putAll(moved);
    head = 0;
    size = kept;
    int slots = Integer.highestOneBit(Math.max(1, capacity - 1)) << 2;
    index = new int[slots > 0 ? slots : 1 << 30];
    Arrays.fill(index, 0);
    for (int slot = 0; slot < size; slot++) {
      insert(slot);
    }
  }
}
