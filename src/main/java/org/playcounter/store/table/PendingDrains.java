package org.playcounter.store.table;

import java.util.Arrays;

/**
 * The pending drains of a {@link SongTable}: counts moved out of the live table under a number,
 * still counted by reads, until their acknowledgement. Drains are made, acknowledged and taken
 * back one at a time (under one lock), each holding every stripe for the moment of its swap, so
 * its record is queued before any change can see it; reads of the numbers take no lock.
 */
public final class PendingDrains {
  private final SongTable table;
  private final Object lock = new Object();
  /** The numbers of the pending drains, ascending; replaced, never written. */
  private volatile long[] numbers = {};
  /** The number the next pending drain takes at least; under {@link #lock}. */
  private long next = 1;

  PendingDrains(SongTable table) {
    this.table = table;
  }

  /**
   * Moves every live count into a new pending drain, recorded first, and returns its number and
   * counts: exactly-once, as a one-step drain is.
   *
   * @throws TableRefusal when {@code limit} drains are pending already; nothing changes
   */
  public PendingState.Drain create(int limit, Recorder recorder) {
    synchronized (lock) {
      if (numbers.length >= limit) {
        throw TableRefusal.tooManyDrains(numbers);
      }
      long number = Math.max(next, System.currentTimeMillis());
      table.lockAll();
      try {
        CountTable[] taken = table.takeLive();
        SongCounts drained = new SongCounts(taken);
        long moved = drained.size();
        try {
          recorder.record(new Change.DrainMade(number, drained));
        } catch (RuntimeException e) {
          table.giveLiveBack(taken);
          throw e;
        }
        for (int s = 0; s < SongTable.STRIPES; s++) {
          if (taken[s] != null) {
            table.stripes[s].setPending(number, taken[s]);
          }
        }
        table.limit.addLive(-moved);
        table.limit.addPending(moved);
        register(number);
        return new PendingState.Drain(number, drained);
      } finally {
        table.unlockAll();
      }
    }
  }

  /** Takes back a {@link #create} that never reached the file: its counts are live again. */
  void undoCreate(long number, SongCounts drained) {
    synchronized (lock) {
      table.lockAll();
      try {
        for (Stripe stripe : table.stripes) {
          if (stripe.pending(number) != null) {
            table.cut.beforeChange(stripe);
            stripe.setPending(number, null);
          }
        }
        drained.forEach(table.removals()::apply);
        table.limit.addPending(-drained.size());
        unregister(number);
      } finally {
        table.unlockAll();
      }
    }
  }

  /**
   * Acknowledges pending drain {@code number}, recorded first: its counts are gone. Returns them,
   * or null when no such drain is pending (and nothing is recorded).
   */
  public SongCounts acknowledge(long number, Recorder recorder) {
    synchronized (lock) {
      if (Arrays.binarySearch(numbers, number) < 0) {
        return null;
      }
      table.lockAll();
      try {
        SongCounts drained = partsOf(number);
        recorder.record(new Change.DrainAcknowledged(number, drained));
        for (Stripe stripe : table.stripes) {
          stripe.setPending(number, null);
        }
        table.limit.addPending(-drained.size());
        unregister(number);
        return drained;
      } finally {
        table.unlockAll();
      }
    }
  }

  /** Takes back an {@link #acknowledge} that never reached the file: pending again. */
  void undoAcknowledge(long number, SongCounts drained) {
    synchronized (lock) {
      table.lockAll();
      try {
        for (int s = 0; s < SongTable.STRIPES; s++) {
          CountTable part = drained.part(s);
          if (part != null) {
            table.stripes[s].setPending(number, part);
          }
        }
        table.limit.addPending(drained.size());
        register(number);
      } finally {
        table.unlockAll();
      }
    }
  }

  /** The counts of pending drain {@code number} now, or null when it is not pending. */
  public SongCounts get(long number) {
    if (!isPending(number)) {
      return null;
    }
    CountTable[] parts = new CountTable[SongTable.STRIPES];
    for (int s = 0; s < SongTable.STRIPES; s++) {
      Stripe stripe = table.stripes[s];
      stripe.lock();
      try {
        parts[s] = stripe.pending(number);
      } finally {
        stripe.unlock();
      }
    }
    return isPending(number) ? new SongCounts(parts) : null;
  }

  /** The numbers of the pending drains, ascending. */
  public long[] numbers() {
    return numbers.clone();
  }

  /** True when drain {@code number} is pending. */
  public boolean isPending(long number) {
    return Arrays.binarySearch(numbers, number) >= 0;
  }

  /** The number the next pending drain takes at least. */
  public long next() {
    synchronized (lock) {
      return next;
    }
  }

  /**
   * The pending drains as they are now, with the number the next one takes at least; the caller
   * holds every change off, as for a snapshot cut.
   */
  public PendingState state() {
    synchronized (lock) {
      long[] now = numbers;
      PendingState.Drain[] drains = new PendingState.Drain[now.length];
      for (int i = 0; i < now.length; i++) {
        drains[i] = new PendingState.Drain(now[i], partsOf(now[i]));
      }
      return new PendingState(next, drains);
    }
  }

  /** Recovery: drain {@code number} is pending from here on. */
  void replayCreate(long number) {
    synchronized (lock) {
      register(number);
    }
  }

  /** Recovery: the number the next pending drain takes at least, as a snapshot recorded it. */
  void replayNext(long atLeast) {
    synchronized (lock) {
      next = Math.max(next, atLeast);
    }
  }

  /** Recovery: drain {@code number} was acknowledged. */
  void replayAcknowledge(long number) {
    synchronized (lock) {
      for (Stripe stripe : table.stripes) {
        stripe.setPending(number, null);
      }
      unregister(number);
    }
  }

  /** Pending drain {@code number}'s parts; stripes held by the caller or no change running. */
  private SongCounts partsOf(long number) {
    CountTable[] parts = new CountTable[SongTable.STRIPES];
    for (int s = 0; s < SongTable.STRIPES; s++) {
      parts[s] = table.stripes[s].pending(number);
    }
    return new SongCounts(parts);
  }

  private void register(long number) {
    long[] grown = Arrays.copyOf(numbers, numbers.length + 1);
    grown[grown.length - 1] = number;
    Arrays.sort(grown);
    numbers = grown;
    next = Math.max(next, number + 1);
  }

  private void unregister(long number) {
    numbers = Arrays.stream(numbers).filter(n -> n != number).toArray();
  }
}
