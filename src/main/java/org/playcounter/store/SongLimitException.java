package org.playcounter.store;

/** A play of a new song when the store already holds its limit; nothing was changed. */
public final class SongLimitException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  SongLimitException(long maxSongs) {
    super("song limit reached: this counter holds at most " + maxSongs
        + " songs; existing songs keep counting", null, false, false);
  }
}
