package org.playcounter.store;

import org.playcounter.store.table.SongCounts;

/**
 * Counts taken out of the store by a drain, or held by a pending one: read-only, safe to read
 * from any thread, and streamed straight from the tables they were taken with (a drain copies
 * nothing).
 */
public final class Drained {
  private final SongCounts counts;

  Drained(SongCounts counts) {
    this.counts = counts;
  }

  /** Number of songs. */
  public int size() {
    return counts.size();
  }

  /** Hands each song and its count to {@code visitor}; no song comes twice. */
  public <X extends Exception> void forEach(CountVisitor<X> visitor) throws X {
    counts.forEach(visitor::visit);
  }

  /** The table's own counts, to record or put back. */
  SongCounts counts() {
    return counts;
  }
}
