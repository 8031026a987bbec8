package org.playcounter.store;

/**
 * A drain made by {@link PlayCountStore#createDrain}: counts moved out of the live table under a
 * number, still counted and kept (journaled) until {@link PlayCountStore#acknowledge} says they
 * are stored elsewhere.
 */
public final class PendingDrain {
  private final long number;
  private final Drained counts;

  PendingDrain(long number, Drained counts) {
    this.number = number;
    this.counts = counts;
  }

  /** Its number: it never repeats within a data directory, nor within a store's life. */
  public long number() {
    return number;
  }

  /** Its counts as of when they were read; read-only. */
  public Drained counts() {
    return counts;
  }
}
