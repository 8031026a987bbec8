package org.playcounter.store.keys;

/**
 * An idempotency key as the store keeps it: the key's 128-bit hash ({@code hi}, {@code lo}), a
 * 64-bit fingerprint of its request, when it came (ms since the epoch), the kind of answer it
 * gets, and the most bytes that answer's body can take once remembered (0 for one number).
 */
public record Key(long hi, long lo, long fingerprint, long time, int kind, long answerBound) {
  /** A play of one song: the answer is its count. */
  public static final int PLAY = 0;
  /** A bulk add: the answer is the new counts. */
  public static final int BULK = 1;
  /** A pending drain: the answer is its number. */
  public static final int DRAIN = 2;
  /** Added to the kind when the answer was JSON. */
  public static final int JSON = 4;

  /** True when the answer of a key of {@code kind} is a bulk add's counts. */
  public static boolean isBulk(int kind) {
    return (kind & 3) == BULK;
  }
}
