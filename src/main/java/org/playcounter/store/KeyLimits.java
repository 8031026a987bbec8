package org.playcounter.store;

/**
 * How much a store remembers of idempotency keys: each for {@code windowMs}, at most
 * {@code maxKeys} of them, and at most {@code maxAnswerBytes} of remembered bulk answers, the one
 * part of a key whose size the client chooses.
 */
public record KeyLimits(long windowMs, int maxKeys, long maxAnswerBytes) {
  /** Ten minutes, a million keys, 64 MiB of answers. */
  public static final KeyLimits DEFAULT = new KeyLimits(600_000, 1_000_000, 64L << 20);

  public KeyLimits {
    if (windowMs < 1) {
      throw new IllegalArgumentException("windowMs < 1: " + windowMs);
    }
    if (maxKeys < 1) {
      throw new IllegalArgumentException("maxKeys < 1: " + maxKeys);
    }
    if (maxAnswerBytes < 0) {
      throw new IllegalArgumentException("maxAnswerBytes < 0: " + maxAnswerBytes);
    }
  }
}
