package org.playcounter.store.keys;

/**
 * What {@link KeyTable#begin} found for a key: the first time it is seen (taken), or its
 * remembered answer ({@code kind}, and {@code value} or the bulk answer's {@code body}), or why it
 * can be neither.
 */
public record Lookup(Found found, int kind, long value, String body) {
  /**
   * A new key (taken), a remembered answer, another request's key, a key still in progress, no
   * room (every key that could make room is in progress), or an answer too large ever to be
   * remembered ({@code value} is then the limit).
   */
  public enum Found { NEW, REPLAY, MISMATCH, IN_PROGRESS, FULL, TOO_LARGE }
}
