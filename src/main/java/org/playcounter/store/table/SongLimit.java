package org.playcounter.store.table;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How many songs a table holds, live and in pending drains, against the most it may hold. The
 * counters change inside the stripe locks of the change that moves them, so they are exact
 * whenever no change is running, and {@link #reserve} is exact under any concurrency.
 */
final class SongLimit {
  private final long maxSongs;
  /** Songs held live. */
  private final AtomicLong live = new AtomicLong();
  /** Songs in pending drains: they hold memory too, so they count against the limit. */
  private final AtomicLong pending = new AtomicLong();

  SongLimit(long maxSongs) {
    if (maxSongs < 1) {
      throw new IllegalArgumentException("maxSongs < 1: " + maxSongs);
    }
    this.maxSongs = maxSongs;
  }

  long max() {
    return maxSongs;
  }

  long live() {
    return live.get();
  }

  long pending() {
    return pending.get();
  }

  /**
   * Counts {@code n} new live songs in, or refuses them all: other stripes add songs at the same
   * time, so the check is on the sum after adding.
   *
   * @throws TableRefusal when they do not fit; nothing is counted
   */
  void reserve(long n) {
    if (live.addAndGet(n) > maxSongs - pending.get()) {
      live.addAndGet(-n);
      throw TableRefusal.songLimit(maxSongs);
    }
  }

  /** {@code n} live songs more (negative: fewer), with no check: songs held before. */
  void addLive(long n) {
    live.addAndGet(n);
  }

  /** {@code n} songs more in pending drains (negative: fewer). */
  void addPending(long n) {
    pending.addAndGet(n);
  }

  /** Recovery's end: the counts as they are. */
  void set(long liveSongs, long pendingSongs) {
    live.set(liveSongs);
    pending.set(pendingSongs);
  }
}
