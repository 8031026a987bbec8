package org.playcounter.store.table;

/**
 * The moment a snapshot reads the table as of, at the cost of a counter: {@link #cut} bumps the
 * epoch while the journal holds every change off, and from then on each stripe keeps the counts
 * it had at the cut (copying its table before its first change, or handing the table itself over
 * when a drain takes it whole) until the snapshot has read that stripe. Changes go on meanwhile.
 * Every method but {@link #cut} runs under the stripe's lock.
 */
public final class SnapshotCut {
  private final Stripe[] stripes;
  /** The latest cut: a stripe whose {@code copiedEpoch} is behind it still has to keep its counts. */
  private volatile int epoch;

  SnapshotCut(Stripe[] stripes) {
    this.stripes = stripes;
  }

  /** Under the stripe's lock, before any change in place: keeps the cut's counts if needed. */
  void beforeChange(Stripe stripe) {
    int current = epoch;
    if (stripe.copiedEpoch != current) {
      stripe.frozen = stripe.table.copy();
      stripe.copiedEpoch = current;
    }
  }

  /** Under the stripe's lock, before its table is taken whole: the table itself is the copy. */
  void beforeTaking(Stripe stripe) {
    int current = epoch;
    if (stripe.copiedEpoch != current) {
      stripe.frozen = stripe.table; // handed over whole and never changed again
      stripe.copiedEpoch = current;
    }
  }

  /** Makes a new cut and returns its epoch; the caller holds every change off. */
  public int cut() {
    return ++epoch;
  }

  /**
   * Hands every live song with its count as of cut {@code at} to {@code visitor}, one stripe at a time,
   * and lets each stripe go back to changing in place.
   */
  public <X extends Exception> void forEachAt(int at, SongVisitor<X> visitor) throws X {
    for (Stripe stripe : stripes) {
      CountTable frozen;
      stripe.lock();
      try {
        frozen = stripe.copiedEpoch == at ? stripe.frozen : stripe.table.copy();
        stripe.frozen = null;
        stripe.copiedEpoch = at;
      } finally {
        stripe.unlock();
      }
      frozen.forEach(visitor);
    }
  }

  /** Ends cut {@code at} whether or not its snapshot was read whole: frees what it held. */
  public void end(int at) {
    for (Stripe stripe : stripes) {
      stripe.lock();
      try {
        stripe.frozen = null;
        stripe.copiedEpoch = at;
      } finally {
        stripe.unlock();
      }
    }
  }
}
