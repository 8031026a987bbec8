package org.playcounter.store;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The idempotency keys a store remembers: for each, a 128-bit hash of the key, a 64-bit
 * fingerprint of the request, when it came, and its answer. Kept in insertion order in a ring of
 * parallel arrays, so the oldest go first (after {@code windowMs}, or early when {@code maxKeys}
 * are held or their answers would pass {@code maxAnswerBytes}), with an open-addressing index
 * over it: a key of a single play costs 49 bytes (41 in the ring, 8 in the index at most half
 * full) and no object. A bulk add's answer body is the one thing held as an object, and its bytes
 * are reserved when the key is taken, from a bound on its size, so a change is never applied
 * whose answer could not then be kept.
 *
 * <p>A key goes through three states: {@link #begin} takes it (in progress, no answer), the
 * store sets its answer under the locks its change is recorded under ({@link #answer}), and the
 * request's end either makes it done ({@link #finish}) or forgets it ({@link #abandon}: the change
 * did not happen). A key with an answer is what a snapshot keeps, since its change is in the
 * counts. Only done keys are ever dropped early: when the oldest key is still in progress, a new
 * key is refused ({@link Found#FULL}) rather than forget one whose retry would count twice.
 */
public final class IdempotencyKeys {
  /**
   * What {@link #begin} found: a new key (taken), a remembered answer, another request's key, a
   * key still in progress, no room (every key that could make room is in progress), or an answer
   * too large ever to be remembered.
   */
  public enum Found { NEW, REPLAY, MISMATCH, IN_PROGRESS, FULL, TOO_LARGE }

  /** The first time a key is seen, or its remembered answer. */
  public record Lookup(Found found, int kind, long value, String body) {}

  /** What a remembered body costs besides its characters: the string, its array, the map entry. */
  static final int BODY_OVERHEAD = 64;

  private static final byte FREE = 0;
  private static final byte TAKEN = 1;
  private static final byte ANSWERED = 2;
  private static final byte DONE = 3;
  private static final int MIN_CAPACITY = 1024;

  private final long windowMs;
  private final int maxKeys;
  private final long maxAnswerBytes;
  /** Bytes of the bodies remembered, and reserved by keys in progress. */
  private long answerBytes;
  // the ring, oldest at head; slot i of the arrays is one key
  private long[] keyHi = new long[0];
  private long[] keyLo = new long[0];
  private long[] fingerprints = new long[0];
  private long[] times = new long[0];
  /** The answer's value once answered; while in progress, the bytes its body may take. */
  private long[] values = new long[0];
  /** Per slot: state in the low 2 bits, the answer's kind above them. */
  private byte[] states = new byte[0];
  /** Ring slot + 1 per index slot; 0 is empty. */
  private int[] index = new int[0];
  private final Map<Integer, String> bodies = new HashMap<>();
  private int head;
  /** Slots from the head on, freed ones among them. */
  private int size;
  /** Keys remembered: slots not freed. */
  private int live;
  private long replays;
  private long conflicts;
  private long droppedEarly;
  private long refused;

  IdempotencyKeys(KeyLimits limits) {
    this.windowMs = limits.windowMs();
    this.maxKeys = limits.maxKeys();
    this.maxAnswerBytes = limits.maxAnswerBytes();
  }

  /**
   * Looks the key up at {@code now}: if it is remembered, returns its answer (same fingerprint),
   * MISMATCH (another request) or IN_PROGRESS; otherwise takes it, in progress, with
   * {@code answerBound} bytes reserved for its answer's body, and returns NEW, unless that does not
   * fit: FULL when the keys in progress hold the room, TOO_LARGE when it never could.
   */
  synchronized Lookup begin(long hi, long lo, long fingerprint, long now, long answerBound) {
    expire(now);
    int slot = find(hi, lo);
    if (slot >= 0) {
      if (fingerprints[slot] != fingerprint) {
        conflicts++;
        return new Lookup(Found.MISMATCH, 0, 0, null);
      }
      if ((states[slot] & 3) != DONE) {
        conflicts++;
        return new Lookup(Found.IN_PROGRESS, 0, 0, null);
      }
      replays++;
      return new Lookup(Found.REPLAY, states[slot] >> 2, values[slot], bodies.get(slot));
    }
    if (answerBound > maxAnswerBytes) {
      refused++;
      return new Lookup(Found.TOO_LARGE, 0, maxAnswerBytes, null);
    }
    if (!makeRoom(answerBound, now)) {
      refused++;
      return new Lookup(Found.FULL, 0, 0, null);
    }
    add(hi, lo, fingerprint, now, TAKEN, answerBound, null);
    answerBytes += answerBound;
    return new Lookup(Found.NEW, 0, 0, null);
  }

  /**
   * Drops done keys from the head until one more key and {@code bytes} more fit; false, dropping
   * nothing, when that would take a key still in progress. Forgotten keys' slots do not count.
   */
  private boolean makeRoom(long bytes, long now) {
    // what dropping would give is counted first, so that a refusal forgets no answer
    int dropKeys = 0;
    long dropBytes = 0;
    for (int i = 0, slot = head; live - dropKeys >= maxKeys
        || answerBytes - dropBytes + bytes > maxAnswerBytes; i++, slot = next(slot)) {
      int state = i < size ? states[slot] & 3 : TAKEN;
      if (state == TAKEN || state == ANSWERED) {
        return false;
      } else if (state == DONE) {
        dropKeys++;
        dropBytes += bodyBytes(bodies.get(slot));
      }
    }
    while (live >= maxKeys || answerBytes + bytes > maxAnswerBytes) {
      if ((states[head] & 3) == DONE && times[head] + windowMs > now) {
        droppedEarly++;
      }
      free(head);
      advanceHead();
    }
    return true;
  }

  private int next(int slot) {
    return slot + 1 == keyHi.length ? 0 : slot + 1;
  }

  /** The change of a key taken by {@link #begin} is recorded and applied: its answer. */
  synchronized void answer(long hi, long lo, int kind, long value, String body) {
    int slot = find(hi, lo);
    if (slot >= 0 && (states[slot] & 3) == TAKEN) {
      answerBytes -= values[slot]; // the reservation, and now what the body really takes
      states[slot] = (byte) (ANSWERED | kind << 2);
      values[slot] = value;
      if (body != null) {
        bodies.put(slot, body);
        answerBytes += bodyBytes(body);
      }
    }
  }

  /** The change was taken back out of memory: the key has no answer again, its room reserved. */
  synchronized void unanswer(long hi, long lo) {
    int slot = find(hi, lo);
    if (slot >= 0 && (states[slot] & 3) == ANSWERED) {
      states[slot] = TAKEN;
      values[slot] = bodyBytes(bodies.remove(slot));
    }
  }

  /** The bytes a remembered body is counted as; 0 for none. */
  static long bodyBytes(String body) {
    return body == null ? 0 : body.length() + BODY_OVERHEAD;
  }

  /** The change is acknowledged: later requests with the key get its answer. */
  synchronized void finish(long hi, long lo) {
    int slot = find(hi, lo);
    if (slot >= 0 && (states[slot] & 3) == ANSWERED) {
      states[slot] = (byte) (DONE | states[slot] & ~3);
    }
  }

  /** The request changed nothing: the key is forgotten, so a retry is a first request. */
  synchronized void abandon(long hi, long lo) {
    int slot = find(hi, lo);
    if (slot >= 0) {
      free(slot);
    }
  }

  /** Recovery: a key recorded with its change at {@code time}, kept if still in the window. */
  synchronized void recover(long hi, long lo, long fingerprint, long time, int kind, long value,
      String body, long now) {
    if (time + windowMs <= now) {
      return;
    }
    int slot = find(hi, lo);
    if (slot >= 0) {
      free(slot);
    }
    long bytes = bodyBytes(body);
    if (bytes > maxAnswerBytes || !makeRoom(bytes, now)) {
      droppedEarly++; // a smaller limit than the one it was remembered under
      return;
    }
    add(hi, lo, fingerprint, time, (byte) (DONE | kind << 2), value, body);
    answerBytes += bytes;
  }

  /** Keys remembered now, in progress included. */
  synchronized int size() {
    return live;
  }

  synchronized long replays() {
    return replays;
  }

  synchronized long conflicts() {
    return conflicts;
  }

  synchronized long droppedEarly() {
    return droppedEarly;
  }

  /** New keys refused since start: no room while keys were in progress, or an answer too big. */
  synchronized long refused() {
    return refused;
  }

  /** Bytes of the remembered answers' bodies, and reserved for those of keys in progress. */
  synchronized long answerBytes() {
    return answerBytes;
  }

  /** One remembered key with its answer, for a snapshot. */
  interface Visitor {
    void visit(long hi, long lo, long fingerprint, long time, int kind, long value, String body);
  }

  /** A copy of every key with an answer, oldest first; taken while no change runs. */
  synchronized Copy copy() {
    int n = 0;
    int[] slots = new int[size];
    for (int i = 0, slot = head; i < size; i++, slot = (slot + 1) % keyHi.length) {
      if ((states[slot] & 3) >= ANSWERED) {
        slots[n++] = slot;
      }
    }
    Copy copy = new Copy(n);
    for (int i = 0; i < n; i++) {
      int slot = slots[i];
      copy.hi[i] = keyHi[slot];
      copy.lo[i] = keyLo[slot];
      copy.fingerprint[i] = fingerprints[slot];
      copy.time[i] = times[slot];
      copy.kind[i] = states[slot] >> 2;
      copy.value[i] = values[slot];
      copy.body[i] = bodies.get(slot);
    }
    return copy;
  }

  /** Remembered keys at one moment, for a snapshot. */
  static final class Copy {
    final long[] hi;
    final long[] lo;
    final long[] fingerprint;
    final long[] time;
    final int[] kind;
    final long[] value;
    final String[] body;

    Copy(int n) {
      hi = new long[n];
      lo = new long[n];
      fingerprint = new long[n];
      time = new long[n];
      kind = new int[n];
      value = new long[n];
      body = new String[n];
    }

    int size() {
      return hi.length;
    }

    void forEach(Visitor visitor) {
      for (int i = 0; i < hi.length; i++) {
        visitor.visit(hi[i], lo[i], fingerprint[i], time[i], kind[i], value[i], body[i]);
      }
    }
  }

  /** Bytes of the arrays, for the memory figures: the ring and the index. */
  synchronized long bytes() {
    return keyHi.length * (5L * Long.BYTES + 1) + index.length * (long) Integer.BYTES;
  }

  /** Adds a key at the ring's end; the caller made room ({@link #makeRoom}). */
  private void add(long hi, long lo, long fingerprint, long time, byte state, long value,
      String body) {
    if (size == keyHi.length) {
      grow();
    }
    int slot = (head + size) % keyHi.length;
    keyHi[slot] = hi;
    keyLo[slot] = lo;
    fingerprints[slot] = fingerprint;
    times[slot] = time;
    values[slot] = value;
    states[slot] = state;
    if (body != null) {
      bodies.put(slot, body);
    }
    size++;
    live++;
    int at = indexSlot(hi, lo);
    while (index[at] != 0) {
      at = (at + 1) & (index.length - 1);
    }
    index[at] = slot + 1;
  }

  /** Drops the oldest keys whose window has passed, and freed slots at the head. */
  private void expire(long now) {
    while (size > 0 && ((states[head] & 3) == FREE || times[head] + windowMs <= now)) {
      free(head);
      advanceHead();
    }
  }

  private void advanceHead() {
    head = (head + 1) % keyHi.length;
    size--;
  }

  /** Takes a slot out of the index; it stays in the ring, FREE, until the head passes it. */
  private void free(int slot) {
    if ((states[slot] & 3) == FREE) {
      return;
    }
    answerBytes -= (states[slot] & 3) == TAKEN ? values[slot] : bodyBytes(bodies.remove(slot));
    states[slot] = FREE;
    live--;
    int at = indexSlot(keyHi[slot], keyLo[slot]);
    while (index[at] != slot + 1) {
      at = (at + 1) & (index.length - 1);
    }
    // backward-shift deletion: no tombstones
    int mask = index.length - 1;
    int hole = at;
    for (int next = (hole + 1) & mask; index[next] != 0; next = (next + 1) & mask) {
      int entry = index[next] - 1;
      int home = indexSlot(keyHi[entry], keyLo[entry]);
      if (((next - home) & mask) >= ((next - hole) & mask)) {
        index[hole] = index[next];
        hole = next;
      }
    }
    index[hole] = 0;
  }

  private int find(long hi, long lo) {
    if (index.length == 0) {
      return -1;
    }
    for (int at = indexSlot(hi, lo); index[at] != 0; at = (at + 1) & (index.length - 1)) {
      int slot = index[at] - 1;
      if (keyHi[slot] == hi && keyLo[slot] == lo && (states[slot] & 3) != FREE) {
        return slot;
      }
    }
    return -1;
  }

  private int indexSlot(long hi, long lo) {
    return (int) (hi ^ hi >>> 32) & (index.length - 1);
  }

  /**
   * Doubles the ring, up to twice the key limit, or at that size squeezes out the slots of
   * forgotten keys (at least half of them, as at most {@code maxKeys} are remembered); oldest
   * first from slot 0; rebuilds the index.
   */
  private void grow() {
    int capacity = (int) Math.min(2L * maxKeys, Math.max(MIN_CAPACITY, 2L * keyHi.length));
    long[] hi = new long[capacity];
    long[] lo = new long[capacity];
    long[] fp = new long[capacity];
    long[] time = new long[capacity];
    long[] value = new long[capacity];
    byte[] state = new byte[capacity];
    Map<Integer, String> moved = new HashMap<>();
    int kept = 0;
    for (int k = 0; k < size; k++) {
      int from = (head + k) % keyHi.length;
      if ((states[from] & 3) == FREE) {
        continue;
      }
      int i = kept++;
      hi[i] = keyHi[from];
      lo[i] = keyLo[from];
      fp[i] = fingerprints[from];
      time[i] = times[from];
      value[i] = values[from];
      state[i] = states[from];
      String body = bodies.get(from);
      if (body != null) {
        moved.put(i, body);
      }
    }
    keyHi = hi;
    keyLo = lo;
    fingerprints = fp;
    times = time;
    values = value;
    states = state;
    bodies.clear();
    bodies.putAll(moved);
    head = 0;
    size = kept;
    index = new int[Integer.highestOneBit(Math.max(1, capacity - 1)) << 2 > 0
        ? Integer.highestOneBit(Math.max(1, capacity - 1)) << 2 : 1 << 30];
    Arrays.fill(index, 0);
    for (int slot = 0; slot < size; slot++) {
      if ((states[slot] & 3) != FREE) {
        int at = indexSlot(keyHi[slot], keyLo[slot]);
        while (index[at] != 0) {
          at = (at + 1) & (index.length - 1);
        }
        index[at] = slot + 1;
      }
    }
  }
}
