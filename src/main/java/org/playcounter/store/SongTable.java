package org.playcounter.store;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The play counts of one store: {@value #STRIPES} stripes, each a {@link CountTable} under its own
 * lock and resized on its own, chosen by the id's hash, so that plays of different songs rarely
 * wait for each other on any number of cores. A song with no plays is absent.
 *
 * <p>Every method is atomic for each song it touches, and {@link #addAll} for all of them at once:
 * it locks the stripes it needs in ascending order, checks every pair, then applies them, so a
 * refused bulk add changes nothing and no other call can see half of one. {@link #drain} takes
 * each stripe's table whole, swapping in an empty one under that stripe's lock: what it took is
 * exactly what was there, so every play is in one drain or still in the table. Whole-table reads
 * ({@link #snapshot}) are consistent per stripe, not across stripes.
 */
final class SongTable {
  /** Stripes: a few hundred keep lock contention negligible on any core count. */
  static final int STRIPES = 256;

  private final Stripe[] stripes = new Stripe[STRIPES];
  /** Songs held: changed inside the stripe locks, so exact whenever no change is running. */
  private final AtomicLong songs = new AtomicLong();
  private final long maxSongs;
  /** Songs in pending drains: they hold memory too, so they count against the limit. */
  private final AtomicLong setAside = new AtomicLong();
  /** Makes, acknowledges and takes back pending drains one at a time. */
  private final Object drainsLock = new Object();
  /** The numbers of the pending drains, ascending; replaced, never written. */
  private volatile long[] pendingDrains = {};
  /** The number the next pending drain takes at least; under {@link #drainsLock}. */
  private long nextDrain = 1;
  /**
   * The latest snapshot cut ({@link #cut}): a stripe whose {@code copiedEpoch} is behind it still
   * holds the counts of the cut in its live table, and copies that table before its first change.
   */
  private volatile int snapshotEpoch;

  SongTable(long maxSongs) {
    if (maxSongs < 1) {
      throw new IllegalArgumentException("maxSongs < 1: " + maxSongs);
    }
    this.maxSongs = maxSongs;
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new Stripe();
    }
  }

  /** The most songs the table holds at once. */
  long maxSongs() {
    return maxSongs;
  }

  /** Songs held now; exact when no change is running. */
  long songs() {
    return songs.get();
  }

  /** The song's count, 0 for a song never played: the latest change completed. */
  long get(String id) {
    int hash = CountTable.hash(id);
    Stripe stripe = stripeOf(hash);
    stripe.lock();
    try {
      return stripe.table.get(id, hash) + stripe.pendingSum(id, hash);
    } finally {
      stripe.unlock();
    }
  }

  /**
   * Adds {@code delta} plays, recorded first, and returns the count after them; each call sees
   * its own result.
   *
   * @throws CountOverflowException if the count would pass {@link Long#MAX_VALUE}; nothing changes
   * @throws SongLimitException if the song is new and the table is full; nothing changes
   */
  long add(String id, long delta, Recorder recorder) {
    int hash = CountTable.hash(id);
    Stripe stripe = stripeOf(hash);
    stripe.lock();
    try {
      beforeChange(stripe);
      CountTable table = stripe.table;
      long count = table.get(id, hash); // 0 only for a song not held: held counts are >= 1
      long pending = stripe.pendingSum(id, hash);
      if (count + pending > Long.MAX_VALUE - delta) {
        throw new CountOverflowException(id);
      }
      long after = count + pending + delta;
      if (count == 0) {
        reserveSongs(1);
        try {
          recorder.one(id, delta, after);
        } catch (RuntimeException e) {
          songs.decrementAndGet();
          throw e;
        }
      } else {
        recorder.one(id, delta, after);
      }
      table.add(id, hash, delta);
      return after;
    } finally {
      stripe.unlock();
    }
  }

  /**
   * Adds every pair or none, recorded as one change, and returns the new counts in the order
   * given.
   *
   * @throws CountOverflowException if a count would pass {@link Long#MAX_VALUE}; nothing changes
   * @throws SongLimitException if the new songs among them do not fit; nothing changes
   */
  Map<String, Long> addAll(Map<String, Long> plays, Recorder recorder) {
    int n = plays.size();
    String[] ids = plays.keySet().toArray(new String[n]);
    long[] deltas = new long[n];
    int[] hashes = new int[n];
    boolean[] locked = new boolean[STRIPES];
    for (int i = 0; i < n; i++) {
      deltas[i] = plays.get(ids[i]);
      if (deltas[i] < 1) {
        throw new IllegalArgumentException("count < 1: " + deltas[i]);
      }
      hashes[i] = CountTable.hash(ids[i]);
      locked[stripeIndex(hashes[i])] = true;
    }
    lock(locked);
    try {
      int newSongs = 0;
      long[] afters = new long[n];
      for (int i = 0; i < n; i++) {
        Stripe stripe = stripeOf(hashes[i]);
        long count = stripe.table.get(ids[i], hashes[i]);
        long pending = stripe.pendingSum(ids[i], hashes[i]);
        if (count + pending > Long.MAX_VALUE - deltas[i]) {
          throw new CountOverflowException(ids[i]);
        } else if (count == 0) {
          newSongs++;
        }
        afters[i] = count + pending + deltas[i];
      }
      reserveSongs(newSongs);
      if (n > 0) {
        try {
          recorder.many(ids, deltas, afters);
        } catch (RuntimeException e) {
          songs.addAndGet(-newSongs);
          throw e;
        }
      }
      Map<String, Long> counts = new LinkedHashMap<>(n * 2);
      for (int i = 0; i < n; i++) {
        stripeOf(hashes[i]).table.add(ids[i], hashes[i], deltas[i]);
        counts.put(ids[i], afters[i]);
      }
      return counts;
    } finally {
      unlock(locked);
    }
  }

  /**
   * Puts a drain's counts back, recorded first, for a drain that could not be delivered: no
   * limit, since these plays were held before, and saturating at the top, live and pending
   * together (a song already at {@link Long#MAX_VALUE} gets nothing back and is not recorded);
   * what is recorded is what is applied. Holds every stripe meanwhile, so the change is one step
   * for every song.
   */
  void restore(Drained drained, Recorder recorder) {
    boolean[] all = new boolean[STRIPES];
    Arrays.fill(all, true);
    lock(all);
    try {
      String[] ids = new String[drained.size()];
      long[] applied = new long[drained.size()];
      int[] n = {0};
      boolean[] saturates = {false};
      drained.forEach((id, count) -> {
        int hash = CountTable.hash(id);
        Stripe stripe = stripeOf(hash);
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
          recorder.drained(drained, 1);
        }
      } else if (n[0] > 0) {
        recorder.many(Arrays.copyOf(ids, n[0]), Arrays.copyOf(applied, n[0]), null);
      }
      for (int k = 0; k < n[0]; k++) {
        apply(ids[k], applied[k]);
      }
    } finally {
      unlock(all);
    }
  }

  /** Adds a count with no check, its stripe locked by the caller. */
  private void apply(String id, long delta) {
    int hash = CountTable.hash(id);
    CountTable table = stripeOf(hash).table;
    if (table.get(id, hash) == 0) {
      songs.incrementAndGet();
    }
    table.add(id, hash, delta);
  }

  /**
   * Takes back a recorded change that never reached the file: subtracts {@code delta}, dropping
   * the song when nothing is left. Changes are taken back newest first, so no count goes below 0.
   */
  void revert(String id, long delta) {
    int hash = CountTable.hash(id);
    Stripe stripe = stripeOf(hash);
    stripe.lock();
    try {
      beforeChange(stripe);
      CountTable table = stripe.table;
      long before = table.get(id, hash);
      long after = table.add(id, hash, -delta);
      if (after == 0) {
        table.remove(id, hash);
        songs.decrementAndGet();
      } else if (before == 0) {
        songs.incrementAndGet();
      }
    } finally {
      stripe.unlock();
    }
  }

  /** Locks the stripes marked, in ascending order (two bulk changes never deadlock). */
  private void lock(boolean[] which) {
    for (int s = 0; s < STRIPES; s++) {
      if (which[s]) {
        stripes[s].lock();
        beforeChange(stripes[s]);
      }
    }
  }

  private void unlock(boolean[] which) {
    for (int s = STRIPES - 1; s >= 0; s--) {
      if (which[s]) {
        stripes[s].unlock();
      }
    }
  }

  /**
   * Removes one song, live and from every pending drain, recorded first, and returns the count it
   * had, 0 if none.
   */
  long remove(String id, Recorder recorder) {
    int hash = CountTable.hash(id);
    Stripe stripe = stripeOf(hash);
    stripe.lock();
    try {
      beforeChange(stripe);
      long live = stripe.table.get(id, hash);
      long[] numbers = stripe.pendingNumbers();
      CountTable[] parts = stripe.pendingTables();
      int holding = 0;
      for (CountTable part : parts) {
        holding += part.get(id, hash) > 0 ? 1 : 0;
      }
      if (holding == 0) {
        if (live > 0) {
          recorder.one(id, -live, 0);
          stripe.table.remove(id, hash);
          songs.decrementAndGet();
        }
        return live;
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
      recorder.removed(id, live, from, counts);
      if (live > 0) {
        stripe.table.remove(id, hash);
        songs.decrementAndGet();
      }
      for (long number : from) {
        CountTable part = stripe.pending(number).copy();
        part.remove(id, hash);
        stripe.setPending(number, part);
      }
      setAside.addAndGet(-holding);
      return total;
    } finally {
      stripe.unlock();
    }
  }

  /** Takes back a {@link #remove} that never reached the file. */
  void revertRemoval(String id, long live, long[] numbers, long[] counts) {
    int hash = CountTable.hash(id);
    Stripe stripe = stripeOf(hash);
    stripe.lock();
    try {
      beforeChange(stripe);
      if (live > 0) {
        stripe.table.add(id, hash, live);
        songs.incrementAndGet();
      }
      for (int i = 0; i < numbers.length; i++) {
        CountTable part = stripe.pending(numbers[i]);
        part = part == null ? new CountTable() : part.copy();
        part.add(id, hash, counts[i]);
        stripe.setPending(numbers[i], part);
      }
      setAside.addAndGet(numbers.length);
    } finally {
      stripe.unlock();
    }
  }

  /**
   * Moves every live count into a new pending drain, recorded first, and returns its number and
   * counts: exactly-once as {@link #drain} is. Holds every stripe for the moment of the move (a
   * swap of tables), so the record is queued before any change can see the new drain.
   */
  PendingDrain createDrain(int limit, Recorder recorder) {
    synchronized (drainsLock) {
      if (pendingDrains.length >= limit) {
        throw new TooManyDrainsException(pendingDrains.clone());
      }
      long number = Math.max(nextDrain, System.currentTimeMillis());
      CountTable[] taken = new CountTable[STRIPES];
      lockAll();
      try {
        long moved = 0;
        for (int s = 0; s < STRIPES; s++) {
          Stripe stripe = stripes[s];
          if (stripe.table.size() > 0) {
            if (stripe.copiedEpoch != snapshotEpoch) {
              stripe.frozen = stripe.table; // handed to the drain whole, never changed again
              stripe.copiedEpoch = snapshotEpoch;
            }
            taken[s] = stripe.table;
            moved += stripe.table.size();
            stripe.table = new CountTable();
          }
        }
        Drained drained = new Drained(taken);
        try {
          recorder.drainCreated(number, drained);
        } catch (RuntimeException e) {
          for (int s = 0; s < STRIPES; s++) {
            if (taken[s] != null) {
              stripes[s].table = taken[s].copy();
            }
          }
          throw e;
        }
        for (int s = 0; s < STRIPES; s++) {
          if (taken[s] != null) {
            stripes[s].setPending(number, taken[s]);
          }
        }
        songs.addAndGet(-moved);
        setAside.addAndGet(moved);
        register(number);
        return new PendingDrain(number, drained);
      } finally {
        unlockAll();
      }
    }
  }

  /** Takes back a {@link #createDrain} that never reached the file: its counts are live again. */
  void revertCreate(long number, Drained drained) {
    synchronized (drainsLock) {
      lockAll();
      try {
        for (int s = 0; s < STRIPES; s++) {
          Stripe stripe = stripes[s];
          if (stripe.pending(number) != null) {
            beforeChange(stripe);
            stripe.setPending(number, null);
          }
        }
        drained.forEach(this::apply);
        setAside.addAndGet(-drained.size());
        unregister(number);
      } finally {
        unlockAll();
      }
    }
  }

  /**
   * Acknowledges pending drain {@code number}, recorded first: its counts are gone. Returns them,
   * or null when no such drain is pending.
   */
  Drained acknowledge(long number, Recorder recorder) {
    synchronized (drainsLock) {
      if (Arrays.binarySearch(pendingDrains, number) < 0) {
        return null;
      }
      lockAll();
      try {
        Drained drained = partsOf(number);
        recorder.acknowledged(number, drained);
        for (Stripe stripe : stripes) {
          stripe.setPending(number, null);
        }
        setAside.addAndGet(-drained.size());
        unregister(number);
        return drained;
      } finally {
        unlockAll();
      }
    }
  }

  /** Takes back an {@link #acknowledge} that never reached the file: the drain is pending again. */
  void revertAcknowledge(long number, Drained drained) {
    synchronized (drainsLock) {
      lockAll();
      try {
        for (int s = 0; s < STRIPES; s++) {
          CountTable part = drained.part(s);
          if (part != null) {
            stripes[s].setPending(number, part);
          }
        }
        setAside.addAndGet(drained.size());
        register(number);
      } finally {
        unlockAll();
      }
    }
  }

  /** The counts of pending drain {@code number} now, or null when it is not pending. */
  Drained pending(long number) {
    if (Arrays.binarySearch(pendingDrains, number) < 0) {
      return null;
    }
    CountTable[] parts = new CountTable[STRIPES];
    for (int s = 0; s < STRIPES; s++) {
      Stripe stripe = stripes[s];
      stripe.lock();
      try {
        parts[s] = stripe.pending(number);
      } finally {
        stripe.unlock();
      }
    }
    return Arrays.binarySearch(pendingDrains, number) < 0 ? null : new Drained(parts);
  }

  /** The numbers of the pending drains, ascending. */
  long[] pendingDrains() {
    return pendingDrains.clone();
  }

  /** Songs held in pending drains. */
  long pendingSongs() {
    return setAside.get();
  }

  /**
   * The pending drains as they are now, with the number the next one takes at least; the caller
   * holds every change off, as for {@link #cut}.
   */
  PendingDrain.State pendingState() {
    synchronized (drainsLock) {
      long[] numbers = pendingDrains;
      Drained[] drains = new Drained[numbers.length];
      for (int i = 0; i < numbers.length; i++) {
        drains[i] = partsOf(numbers[i]);
      }
      return new PendingDrain.State(nextDrain, numbers, drains);
    }
  }

  /** Pending drain {@code number}'s parts; stripes held by the caller or no change running. */
  private Drained partsOf(long number) {
    CountTable[] parts = new CountTable[STRIPES];
    for (int s = 0; s < STRIPES; s++) {
      parts[s] = stripes[s].pending(number);
    }
    return new Drained(parts);
  }

  private void register(long number) {
    long[] numbers = Arrays.copyOf(pendingDrains, pendingDrains.length + 1);
    numbers[numbers.length - 1] = number;
    Arrays.sort(numbers);
    pendingDrains = numbers;
    nextDrain = Math.max(nextDrain, number + 1);
  }

  private void unregister(long number) {
    pendingDrains = Arrays.stream(pendingDrains).filter(n -> n != number).toArray();
  }

  private void lockAll() {
    for (Stripe stripe : stripes) {
      stripe.lock();
    }
  }

  private void unlockAll() {
    for (int s = STRIPES - 1; s >= 0; s--) {
      stripes[s].unlock();
    }
  }

  /** Recovery: pending drain {@code number} was made here (its moves follow). */
  void replayCreate(long number) {
    synchronized (drainsLock) {
      register(number);
    }
  }

  /** Recovery: the number the next pending drain takes at least, from a snapshot. */
  void replayNextDrain(long next) {
    synchronized (drainsLock) {
      nextDrain = Math.max(nextDrain, next);
    }
  }

  /** Recovery: pending drain {@code number} was acknowledged here. */
  void replayAcknowledge(long number) {
    synchronized (drainsLock) {
      for (Stripe stripe : stripes) {
        stripe.setPending(number, null);
      }
      unregister(number);
    }
  }

  /** True when drain {@code number} is pending; for recovery's checks. */
  boolean isPending(long number) {
    return Arrays.binarySearch(pendingDrains, number) >= 0;
  }

  /** The number the next pending drain takes at least. */
  long nextDrain() {
    synchronized (drainsLock) {
      return nextDrain;
    }
  }

  /**
   * Recovery: adds {@code delta} to the song (ASCII id {@code b[from, from + length)}) in pending
   * drain {@code number}'s part, with no limit; returns the total after it.
   *
   * @throws ArithmeticException if the total passes {@link Long#MAX_VALUE}
   */
  long replayPending(long number, byte[] b, int from, int length, long delta) {
    int hash = CountTable.hash(b, from, length);
    Stripe stripe = stripeOf(hash);
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

  /**
   * Takes every stripe's table whole and returns them: exactly the counts removed. Each stripe
   * is locked only for the swap, so plays wait at most that long. The removal is recorded once
   * every stripe is taken, after every change it holds was recorded; if it cannot be, the
   * counts go back and it throws.
   */
  Drained drain(Recorder recorder) {
    CountTable[] taken = new CountTable[STRIPES];
    for (int s = 0; s < STRIPES; s++) {
      Stripe stripe = stripes[s];
      stripe.lock();
      try {
        if (stripe.table.size() > 0) {
          if (stripe.copiedEpoch != snapshotEpoch) {
            stripe.frozen = stripe.table; // handed to the drain whole, never changed again
            stripe.copiedEpoch = snapshotEpoch;
          }
          taken[s] = stripe.table;
          songs.addAndGet(-stripe.table.size());
          stripe.table = new CountTable();
        }
      } finally {
        stripe.unlock();
      }
    }
    Drained drained = new Drained(taken);
    if (drained.size() > 0) {
      try {
        recorder.drained(drained, -1);
      } catch (RuntimeException e) {
        drained.forEach((id, count) -> {
          int hash = CountTable.hash(id);
          Stripe stripe = stripeOf(hash);
          stripe.lock();
          try {
            beforeChange(stripe);
            apply(id, count);
          } finally {
            stripe.unlock();
          }
        });
        throw e;
      }
    }
    return drained;
  }

  /**
   * Hands every song with its count to {@code visitor}, a copy of one stripe at a time, so that
   * a slow visitor holds no lock: consistent per stripe, and plays made meanwhile in stripes not
   * yet copied are seen.
   */
  <X extends Exception> void snapshot(CountVisitor<X> visitor) throws X {
    for (Stripe stripe : stripes) {
      CountTable copy;
      CountTable[] parts;
      stripe.lock();
      try {
        if (stripe.table.size() == 0 && !stripe.hasPending()) {
          continue;
        }
        copy = stripe.table.copy();
        parts = stripe.pendingTables();
      } finally {
        stripe.unlock();
      }
      for (CountTable part : parts) {
        part.forEach((id, count) -> copy.add(id, CountTable.hash(id), count));
      }
      copy.forEach(visitor);
    }
  }

  /**
   * Cuts the table for a snapshot: from now on each stripe keeps the counts it has now until the
   * snapshot has read them, copying its table before its first change. The caller holds every
   * change off meanwhile, so the cut is one moment for all stripes; it costs nothing but a counter.
   */
  int cut() {
    return ++snapshotEpoch;
  }

  /**
   * Hands every song with its count as of cut {@code epoch} to {@code visitor}, one stripe at a
   * time, and lets each stripe go back to changing in place. Changes go on meanwhile.
   */
  <X extends Exception> void forEachAt(int epoch, CountVisitor<X> visitor) throws X {
    for (Stripe stripe : stripes) {
      CountTable frozen;
      stripe.lock();
      try {
        frozen = stripe.copiedEpoch == epoch ? stripe.frozen : stripe.table.copy();
        stripe.frozen = null;
        stripe.copiedEpoch = epoch;
      } finally {
        stripe.unlock();
      }
      frozen.forEach(visitor);
    }
  }

  /** Ends cut {@code epoch} whether or not its snapshot was read whole: frees what it held. */
  void endCut(int epoch) {
    for (Stripe stripe : stripes) {
      stripe.lock();
      try {
        stripe.frozen = null;
        stripe.copiedEpoch = epoch;
      } finally {
        stripe.unlock();
      }
    }
  }

  /** Under the stripe's lock, before any change: keeps the cut's counts if a snapshot needs them. */
  private void beforeChange(Stripe stripe) {
    int epoch = snapshotEpoch;
    if (stripe.copiedEpoch != epoch) {
      stripe.frozen = stripe.table.copy();
      stripe.copiedEpoch = epoch;
    }
  }

  /**
   * Applies a recorded change during recovery, with no limit, and returns the total after it;
   * {@link #finishReplay} then drops the songs left at zero.
   *
   * @throws ArithmeticException if the total passes {@link Long#MAX_VALUE}
   */
  long replay(String id, long delta) {
    int hash = CountTable.hash(id);
    Stripe stripe = stripeOf(hash);
    stripe.lock();
    try {
      long total = Math.addExact(stripe.table.get(id, hash), delta);
      stripe.table.put(id, hash, total);
      return total;
    } finally {
      stripe.unlock();
    }
  }

  /**
   * Applies a recorded change during recovery straight from the bytes of its ASCII id,
   * {@code b[from, from + length)}, with no limit, and returns the total after it.
   *
   * @throws ArithmeticException if the total passes {@link Long#MAX_VALUE}
   */
  long replay(byte[] b, int from, int length, long delta) {
    int hash = CountTable.hash(b, from, length);
    Stripe stripe = stripeOf(hash);
    stripe.lock();
    try {
      return stripe.table.replay(b, from, length, hash, delta);
    } finally {
      stripe.unlock();
    }
  }

  /** Makes room for {@code songs} songs in an empty table, so that recovery never resizes. */
  void presize(long songs) {
    int perStripe = (int) Math.min(Integer.MAX_VALUE / 4, songs / STRIPES + songs / STRIPES / 8
        + 16);
    for (Stripe stripe : stripes) {
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

  /** Ends a recovery: drops songs without plays and counts the rest. */
  void finishReplay() {
    long held = 0;
    long pending = 0;
    for (Stripe stripe : stripes) {
      stripe.lock();
      try {
        stripe.table.removeNonPositive();
        held += stripe.table.size();
        for (CountTable part : stripe.pendingTables()) {
          part.removeNonPositive();
          pending += part.size();
        }
      } finally {
        stripe.unlock();
      }
    }
    songs.set(held);
    setAside.set(pending);
  }

  /** Bytes of the tables' arrays: what the counts cost on the heap, less object headers. */
  long bytes() {
    long bytes = 0;
    for (Stripe stripe : stripes) {
      stripe.lock();
      try {
        bytes += stripe.table.bytes();
      } finally {
        stripe.unlock();
      }
    }
    return bytes;
  }

  /**
   * Counts {@code n} new songs in, or refuses them all: exact under concurrency, since other
   * stripes add songs at the same time.
   */
  private void reserveSongs(int n) {
    if (songs.addAndGet(n) > maxSongs - setAside.get()) {
      songs.addAndGet(-n);
      throw new SongLimitException(maxSongs);
    }
  }

  private Stripe stripeOf(int hash) {
    return stripes[stripeIndex(hash)];
  }

  /** The stripe of a song whose hash is {@code hash}. */
  static int stripeNumber(int hash) {
    return stripeIndex(hash);
  }

  /** The top bits choose the stripe; a table's slot comes from the low bits. */
  private static int stripeIndex(int hash) {
    return hash >>> 24;
  }
}
