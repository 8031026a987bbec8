package org.playcounter.store.keys;

/**
 * The idempotency keys a store remembers: for each, a 128-bit hash of the key, a 64-bit
 * fingerprint of the request, when it came, and its answer. Kept in insertion order in a ring of
 * parallel arrays ({@link KeyRing}), so the oldest go first (after {@code windowMs}, or early when {@code maxKeys}
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
 * key is refused ({@link Lookup.Found#FULL}) rather than forget one whose retry would count twice.
 */
public final class KeyTable {
  /** What a remembered body costs besides its characters: the string, its array, the map entry. */
  public static final int BODY_OVERHEAD = 64;

  private static final byte TAKEN = 1;
  private static final byte ANSWERED = 2;
  private static final byte DONE = 3;

  private final long windowMs;
  private final int maxKeys;
  private final long maxAnswerBytes;
  private final KeyRing ring;
  /** Bytes of the bodies remembered, and reserved by keys in progress. */
  private long answerBytes;
  /** Keys remembered: slots not freed. */
  private int live;
  private long replays;
  private long conflicts;
  private long droppedEarly;
  private long refused;

  /** Keys kept {@code windowMs}, at most {@code maxKeys}, and {@code maxAnswerBytes} of answers. */
  public KeyTable(long windowMs, int maxKeys, long maxAnswerBytes) {
    this.windowMs = windowMs;
    this.maxKeys = maxKeys;
    this.maxAnswerBytes = maxAnswerBytes;
    this.ring = new KeyRing(maxKeys);
  }

  /**
   * Looks the key up at {@code now}: if it is remembered, returns its answer (same fingerprint),
   * MISMATCH (another request) or IN_PROGRESS; otherwise takes it, in progress, with
   * {@code answerBound} bytes reserved for its answer's body, and returns NEW, unless that does not
   * fit: FULL when the keys in progress hold the room, TOO_LARGE when it never could.
   */
  public synchronized Lookup begin(Key key) {
    expire(key.time());
    int slot = ring.find(key.hi(), key.lo());
    if (slot >= 0) {
      if (ring.fingerprints[slot] != key.fingerprint()) {
        conflicts++;
        return new Lookup(Lookup.Found.MISMATCH, 0, 0, null);
      }
      if ((ring.states[slot] & 3) != DONE) {
        conflicts++;
        return new Lookup(Lookup.Found.IN_PROGRESS, 0, 0, null);
      }
      replays++;
      return new Lookup(Lookup.Found.REPLAY, ring.states[slot] >> 2, ring.values[slot],
          ring.bodies.get(slot));
    }
    if (key.answerBound() > maxAnswerBytes) {
      refused++;
      return new Lookup(Lookup.Found.TOO_LARGE, 0, maxAnswerBytes, null);
    }
    if (!makeRoom(key.answerBound(), key.time())) {
      refused++;
      return new Lookup(Lookup.Found.FULL, 0, 0, null);
    }
    ring.add(key.hi(), key.lo(), key.fingerprint(), key.time(), TAKEN, key.answerBound(), null);
    live++;
    answerBytes += key.answerBound();
    return new Lookup(Lookup.Found.NEW, 0, 0, null);
  }

  /**
   * Drops done keys from the head until one more key and {@code bytes} more fit; false, dropping
   * nothing, when that would take a key still in progress. Forgotten keys' slots do not count.
   */
  private boolean makeRoom(long bytes, long now) {
    // what dropping would give is counted first, so that a refusal forgets no answer
    int dropKeys = 0;
    long dropBytes = 0;
    for (int i = 0, slot = ring.head; live - dropKeys >= maxKeys
        || answerBytes - dropBytes + bytes > maxAnswerBytes; i++, slot = ring.next(slot)) {
      int state = i < ring.size ? ring.states[slot] & 3 : TAKEN;
      if (state == TAKEN || state == ANSWERED) {
        return false;
      } else if (state == DONE) {
        dropKeys++;
        dropBytes += bodyBytes(ring.bodies.get(slot));
      }
    }
    while (live >= maxKeys || answerBytes + bytes > maxAnswerBytes) {
      if ((ring.states[ring.head] & 3) == DONE && ring.times[ring.head] + windowMs > now) {
        droppedEarly++;
      }
      free(ring.head);
      ring.advanceHead();
    }
    return true;
  }

  /** The change of a key taken by {@link #begin} is recorded and applied: its answer. */
  public synchronized void answer(long hi, long lo, int kind, long value, String body) {
    int slot = ring.find(hi, lo);
    if (slot >= 0 && (ring.states[slot] & 3) == TAKEN) {
      answerBytes -= ring.values[slot]; // the reservation, and now what the body really takes
      ring.states[slot] = (byte) (ANSWERED | kind << 2);
      ring.values[slot] = value;
      if (body != null) {
        ring.bodies.put(slot, body);
        answerBytes += bodyBytes(body);
      }
    }
  }

  /** The change was taken back out of memory: the key has no answer again, its room reserved. */
  public synchronized void unanswer(long hi, long lo) {
    int slot = ring.find(hi, lo);
    if (slot >= 0 && (ring.states[slot] & 3) == ANSWERED) {
      ring.states[slot] = TAKEN;
      ring.values[slot] = bodyBytes(ring.bodies.remove(slot));
    }
  }

  /** The bytes a remembered body is counted as; 0 for none. */
  public static long bodyBytes(String body) {
    return body == null ? 0 : body.length() + BODY_OVERHEAD;
  }

  /** The change is acknowledged: later requests with the key get its answer. */
  public synchronized void finish(long hi, long lo) {
    int slot = ring.find(hi, lo);
    if (slot >= 0 && (ring.states[slot] & 3) == ANSWERED) {
      ring.states[slot] = (byte) (DONE | ring.states[slot] & ~3);
    }
  }

  /** The request changed nothing: the key is forgotten, so a retry is a first request. */
  public synchronized void abandon(long hi, long lo) {
    int slot = ring.find(hi, lo);
    if (slot >= 0) {
      free(slot);
    }
  }

  /** Recovery: a key recorded with its change at {@code time}, kept if still in the window. */
  public synchronized void recover(long hi, long lo, long fingerprint, long time, int kind,
      long value, String body, long now) {
    if (time + windowMs <= now) {
      return;
    }
    int slot = ring.find(hi, lo);
    if (slot >= 0) {
      free(slot);
    }
    long bytes = bodyBytes(body);
    if (bytes > maxAnswerBytes || !makeRoom(bytes, now)) {
      droppedEarly++; // a smaller limit than the one it was remembered under
      return;
    }
    ring.add(hi, lo, fingerprint, time, (byte) (DONE | kind << 2), value, body);
    live++;
    answerBytes += bytes;
  }

  /** Keys remembered now, in progress included. */
  public synchronized int size() {
    return live;
  }

  public synchronized long replays() {
    return replays;
  }

  public synchronized long conflicts() {
    return conflicts;
  }

  public synchronized long droppedEarly() {
    return droppedEarly;
  }

  /** New keys refused since start: no room while keys were in progress, or an answer too big. */
  public synchronized long refused() {
    return refused;
  }

  /** Bytes of the remembered answers' bodies, and reserved for those of keys in progress. */
  public synchronized long answerBytes() {
    return answerBytes;
  }

  /** Bytes of the arrays that hold the keys. */
  public synchronized long bytes() {
    return ring.bytes();
  }

  /** A copy of every key with an answer, oldest first; taken while no change runs. */
  public synchronized KeyCopy copy() {
    int n = 0;
    int[] slots = new int[ring.size];
    for (int i = 0, slot = ring.head; i < ring.size; i++, slot = ring.next(slot)) {
      if ((ring.states[slot] & 3) >= ANSWERED) {
        slots[n++] = slot;
      }
    }
    KeyCopy copy = new KeyCopy(n);
    for (int i = 0; i < n; i++) {
      int slot = slots[i];
      copy.set(i, ring.hi[slot], ring.lo[slot], ring.fingerprints[slot], ring.times[slot],
          ring.states[slot] >> 2, ring.values[slot], ring.bodies.get(slot));
    }
    return copy;
  }

  /** Drops the oldest keys whose window has passed, and freed slots at the head. */
  private void expire(long now) {
    while (ring.size > 0 && ((ring.states[ring.head] & 3) == KeyRing.FREE
        || ring.times[ring.head] + windowMs <= now)) {
      free(ring.head);
      ring.advanceHead();
    }
  }

  /** Forgets the key in {@code slot}, if any, with the bytes its answer held. */
  private void free(int slot) {
    if ((ring.states[slot] & 3) == KeyRing.FREE) {
      return;
    }
    answerBytes -= (ring.states[slot] & 3) == TAKEN ? ring.values[slot]
        : bodyBytes(ring.bodies.get(slot));
    live--;
    ring.free(slot);
  }
}
