package org.playcounter.store.table;

/**
 * Every pending drain at one moment, for a snapshot: the drains in ascending number and the
 * number the next drain takes at least.
 */
public record PendingState(long next, Drain[] drains) {
  /** One pending drain: its number and its counts as they were read; read-only. */
  public record Drain(long number, SongCounts counts) {}
}
