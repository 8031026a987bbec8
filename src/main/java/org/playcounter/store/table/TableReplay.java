package org.playcounter.store.table;

/**
 * Recovery's writes into a {@link SongTable}: changes applied straight from the bytes of their
 * ASCII ids, with no limit and no recorder, summed with overflow checks; songs left at zero are
 * dropped and the song counters set once, at {@link #finish}. Meant for a table no request uses
 * yet; each call still takes its stripe's lock, so two threads may replay different stripes at
 * once.
 */
public final class TableReplay {
  private final SongTable table;

  TableReplay(SongTable table) {
    this.table = table;
  }

  /**
   * Adds {@code delta} (maybe negative) to the live count of the song {@code b[from, from +
   * length)} and returns the total after it.
   *
   * @throws ArithmeticException if the total passes {@link Long#MAX_VALUE}
   */
  public long live(byte[] b, int from, int length, long delta) {
    int hash = SongHash.of(b, from, length);
    Stripe stripe = table.stripeOf(hash);
    stripe.lock();
    try {
      return stripe.table.replay(b, from, length, hash, delta);
    } finally {
      stripe.unlock();
    }
  }

  /**
   * Adds {@code delta} (maybe negative) to the song's part of pending drain {@code number} and
   * returns the total after it.
   *
   * @throws ArithmeticException if the total passes {@link Long#MAX_VALUE}
   */
  public long pending(long number, byte[] b, int from, int length, long delta) {
    int hash = SongHash.of(b, from, length);
    Stripe stripe = table.stripeOf(hash);
    stripe.lock();
    try {
      CountTable part = stripe.pending(number);
      if (part == null) {
        part = new CountTable();
        stripe.setPending(number, part);
      }
      return part.replay(b, from, length, hash, delta);
    } finally {
      stripe.unlock();
    }
  }

  /** Pending drain {@code number} was made here (its moves follow). */
  public void create(long number) {
    table.drains().replayCreate(number);
  }

  /** Pending drain {@code number} was acknowledged here. */
  public void acknowledge(long number) {
    table.drains().replayAcknowledge(number);
  }

  /** The number the next pending drain takes at least, from a snapshot. */
  public void nextDrain(long atLeast) {
    table.drains().replayNext(atLeast);
  }

  /** Makes room for {@code songs} songs in an empty table, so that loading it never resizes. */
  public void presize(long songs) {
    int perStripe = (int) Math.min(Integer.MAX_VALUE / 4,
        songs / SongTable.STRIPES + songs / SongTable.STRIPES / 8 + 16);
    for (Stripe stripe : table.stripes) {
      stripe.lock();
      try {
        if (stripe.table.size() == 0) {
          stripe.table = CountTable.sized(perStripe);
        }
      } finally {
        stripe.unlock();
      }
    }
  }

  /** Ends the replay: drops songs without plays and counts the rest. */
  public void finish() {
    long live = 0;
    long pending = 0;
    for (Stripe stripe : table.stripes) {
      stripe.lock();
      try {
        stripe.table.removeNonPositive();
        live += stripe.table.size();
        for (CountTable part : stripe.pendingTables()) {
          part.removeNonPositive();
          pending += part.size();
        }
      } finally {
        stripe.unlock();
      }
    }
    table.limit.set(live, pending);
  }
}
