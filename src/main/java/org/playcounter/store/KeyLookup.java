package org.playcounter.store;

/**
 * What {@link PlayCountStore#begin} found for a write's idempotency key: the first time it is
 * seen (taken: the write goes on with the key), or the remembered answer ({@code kind}, and
 * {@code value} or a bulk add's {@code body}), or why it can be neither.
 */
public record KeyLookup(Found found, int kind, long value, String body) {
  /**
   * A new key (taken), a remembered answer, another request's key, a key still in progress, no
   * room (every key that could make room is in progress), or an answer too large ever to be
   * remembered ({@code value} is then the limit in bytes).
   */
  public enum Found { NEW, REPLAY, MISMATCH, IN_PROGRESS, FULL, TOO_LARGE }
}
