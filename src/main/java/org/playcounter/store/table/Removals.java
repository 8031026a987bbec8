package org.playcounter.store.table;

import java.util.Arrays;

/**
 * The changes of a {@link SongTable} that take counts out or put them back: the removal of one
 * song (live and from every pending drain), the one-step drain of every live song, and the
 * put-back of a drain that could not be delivered. Each is recorded before it is applied, as
 * every change of the table is, and is exactly-once: every play is in what a removal returns or
 * still in the table, never both.
 */
public final class Removals {
  private final SongTable table;

  Removals(SongTable table) {
    this.table = table;
  }

  /**
   * Removes one song, live and from every pending drain, recorded first, and returns the count
   * it had, 0 if none (and then nothing is recorded).
   */
  public long remove(String id, Recorder recorder) {
    int hash = SongHash.of(id);
    Stripe stripe = table.stripeOf(hash);
    stripe.lock();
    try {
      table.cut.beforeChange(stripe);
      long live = stripe.table.get(id, hash);
      long[] numbers = stripe.pendingNumbers();
      CountTable[] parts = stripe.pendingTables();
      int holding = 0;
      for (CountTable part : parts) {
        holding += part.get(id, hash) > 0 ? 1 : 0;
      }
      long[] from = new long[holding];
      long[] counts = new long[holding];
      long total = live;
      for (int i = 0, k = 0; i < parts.length; i++) {
        long count = parts[i].get(id, hash);
        if (count > 0) {
          from[k] = numbers[i];
          counts[k++] = count;
          total += count;
        }
      }
      if (total == 0) {
        return 0;
      }
      recorder.record(new Change.Removal(id, live, from, counts));
      if (live > 0) {
        stripe.table.remove(id, hash);
        table.limit.addLive(-1);
      }
      for (long number : from) {
        CountTable part = stripe.pending(number).copy();
        part.remove(id, hash);
        stripe.setPending(number, part);
      }
      table.limit.addPending(-holding);
      return total;
    } finally {
      stripe.unlock();
    }
  }

  /** Takes back a {@link #remove} that never reached the file. */
  void undoRemoval(String id, long live, long[] numbers, long[] counts) {
    int hash = SongHash.of(id);
    Stripe stripe = table.stripeOf(hash);
    stripe.lock();
    try {
      table.cut.beforeChange(stripe);
      if (live > 0) {
        stripe.table.add(id, hash, live);
        table.limit.addLive(1);
      }
      for (int i = 0; i < numbers.length; i++) {
        CountTable part = stripe.pending(numbers[i]);
        part = part == null ? new CountTable() : part.copy();
        part.add(id, hash, counts[i]);
        stripe.setPending(numbers[i], part);
      }
      table.limit.addPending(numbers.length);
    } finally {
      stripe.unlock();
    }
  }

  /**
   * Takes every stripe's live table whole and returns them: exactly the counts removed. Every
   * stripe is held for the moment of the swap and the record, as a pending drain's are, so no
   * play of a song taken can be recorded before the removal that took it (replayed in that order
   * a count at the top would pass it); if the removal cannot be recorded, nothing changes.
   */
  public SongCounts drain(Recorder recorder) {
    table.lockAll();
    try {
      CountTable[] taken = table.takeLive();
      SongCounts drained = new SongCounts(taken);
      if (drained.size() > 0) {
        try {
          recorder.record(new Change.Drain(drained));
        } catch (RuntimeException e) {
          table.giveLiveBack(taken);
          throw e;
        }
      }
      table.limit.addLive(-drained.size());
      return drained;
    } finally {
      table.unlockAll();
    }
  }

  /**
   * Puts drained counts back, recorded first, for a drain that could not be delivered: no
   * limit, since these plays were held before, and saturating at the top, live and pending
   * together (a song already at {@link Long#MAX_VALUE} gets nothing back and is not recorded);
   * what is recorded is what is applied. Holds every stripe meanwhile, so the change is one step
   * for every song.
   */
  public void putBack(SongCounts drained, Recorder recorder) {
    boolean[] all = new boolean[SongTable.STRIPES];
    Arrays.fill(all, true);
    table.lock(all);
    try {
      String[] ids = new String[drained.size()];
      long[] applied = new long[drained.size()];
      int[] n = {0};
      boolean[] saturates = {false};
      drained.forEach((id, count) -> {
        int hash = SongHash.of(id);
        Stripe stripe = table.stripeOf(hash);
        long room = Long.MAX_VALUE - stripe.table.get(id, hash) - stripe.pendingSum(id, hash);
        long back = Math.min(count, room);
        saturates[0] |= back < count;
        if (back > 0) {
          ids[n[0]] = id;
          applied[n[0]++] = back;
        }
      });
      if (!saturates[0]) {
        if (drained.size() > 0) {
          recorder.record(new Change.PutBack(drained));
        }
      } else if (n[0] > 0) {
        recorder.record(new Change.Bulk(Arrays.copyOf(ids, n[0]), Arrays.copyOf(applied, n[0]),
            null));
      }
      for (int k = 0; k < n[0]; k++) {
        apply(ids[k], applied[k]);
      }
    } finally {
      table.unlock(all);
    }
  }

  /**
   * Takes back {@code delta} plays that never reached the file, dropping the song when nothing
   * is left (a negative delta gives plays back). Changes are taken back newest first, so no count
   * goes below 0.
   */
  void takeBack(String id, long delta) {
    int hash = SongHash.of(id);
    Stripe stripe = table.stripeOf(hash);
    stripe.lock();
    try {
      table.cut.beforeChange(stripe);
      CountTable live = stripe.table;
      long before = live.get(id, hash);
      long after = live.add(id, hash, -delta);
      if (after == 0) {
        live.remove(id, hash);
        table.limit.addLive(-1);
      } else if (before == 0) {
        table.limit.addLive(1);
      }
    } finally {
      stripe.unlock();
    }
  }

  /** Adds a count with no check, its stripe locked by the caller. */
  void apply(String id, long delta) {
    int hash = SongHash.of(id);
    CountTable live = table.stripeOf(hash).table;
    if (live.get(id, hash) == 0) {
      table.limit.addLive(1);
    }
    live.add(id, hash, delta);
  }
}
