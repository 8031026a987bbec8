package org.playcounter.store.table;

/**
 * Recovery's writes into a {@link SongTable}: changes applied straight from the bytes of their
 * ASCII ids, with no limit and no recorder, summed with overflow checks; songs left at zero are
 * dropped and the song counters set once, at {@link #finish}. Meant for a table no request uses
 * yet. Most changes are held back ({@link #liveLater}, {@link #pendingLater}) and applied stripe
 * by stripe on several threads by {@link #apply}; {@link #live} and {@link #pending} apply one at
 * once and give its total, for a record whose answer needs it (apply what is held first). Calls
 * come from one thread.
 */
public final class TableReplay {
  /** What went wrong with a held-back change: a total below zero or past the maximum. */
  public record Problem(long offset, String id, long drain, boolean overflow) {}

  private final SongTable table;
  private final ReplayBatch batch;
  /** True once any change took a count down: only then can a song be left at zero. */
  private boolean lowered;

  TableReplay(SongTable table) {
    this.table = table;
    // the calling thread decodes while a thread a core applies
    this.batch = new ReplayBatch(table.stripes,
        Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())));
  }

  /**
   * Holds back adding {@code delta} (maybe negative) to the live count of the song {@code b[from,
   * from + length)}, recorded at {@code offset} of its file; {@code b} may be reused at once.
   */
  public void liveLater(byte[] b, int from, int length, long delta, long offset) {
    lowered |= delta < 1;
    batch.add(b, from, length, SongHash.of(b, from, length), delta, 0, offset);
  }

  /** The same for the song's part of pending drain {@code number} (at least 1). */
  public void pendingLater(long number, byte[] b, int from, int length, long delta,
      long offset) {
    if (number < 1) {
      throw new IllegalArgumentException("number < 1: " + number);
    }
    lowered |= delta < 1;
    batch.add(b, from, length, SongHash.of(b, from, length), delta, number, offset);
  }

  /** True when enough is held back that it should be handed over before more comes. */
  public boolean full() {
    return batch.full();
  }

  /**
   * Starts applying what is held back, on other threads, and returns while they do (once what was
   * handed over before is applied); the problem of the change with the lowest offset so far, or
   * null.
   */
  public Problem handOver() {
    return batch.handOver();
  }

  /**
   * Applies every change held back, several stripes at once, and waits until it is; returns the
   * problem of the change
   * with the lowest offset (the table is then half applied and to be given up), or null.
   */
  public Problem apply() {
    return batch.apply();
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
      lowered |= delta < 1;
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
      lowered |= delta < 1;
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

  /**
   * Makes room for {@code songs} songs whose ids are {@code idBytesPerSong} long on average in an
   * empty table, so that loading it never resizes: a stripe's share, with room for the stripes
   * that get more than their share.
   */
  public void presize(long songs, double idBytesPerSong) {
    int perStripe = (int) Math.min(Integer.MAX_VALUE / 4,
        songs / SongTable.STRIPES + songs / SongTable.STRIPES / 16 + 16);
    long idBytes = (long) Math.ceil(perStripe * idBytesPerSong);
    for (Stripe stripe : table.stripes) {
      stripe.lock();
      try {
        if (stripe.table.size() == 0) {
          stripe.table = CountTable.sized(perStripe, idBytes);
        }
      } finally {
        stripe.unlock();
      }
    }
  }

  /** Lets the worker threads go, waiting for what they apply: for a replay given up. */
  public void close() {
    batch.close();
  }

  /** Ends the replay, once every change held back is applied: drops songs without plays and counts the rest. */
  public void finish() {
    if (!batch.isEmpty()) {
      throw new IllegalStateException("changes held back and not applied");
    }
    batch.close();
    long live = 0;
    long pending = 0;
    for (Stripe stripe : table.stripes) {
      stripe.lock();
      try {
        if (lowered) {
          stripe.table.removeNonPositive();
        }
        live += stripe.table.size();
        for (CountTable part : stripe.pendingTables()) {
          if (lowered) {
            part.removeNonPositive();
          }
          pending += part.size();
        }
      } finally {
        stripe.unlock();
      }
    }
    table.limit.set(live, pending);
  }
}
