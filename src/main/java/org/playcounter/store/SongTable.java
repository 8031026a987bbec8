package org.playcounter.store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

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
      return stripe.table.get(id, hash);
    } finally {
      stripe.unlock();
    }
  }

  /**
   * Adds {@code delta} plays and returns the count after them; each call sees its own result.
   *
   * @throws CountOverflowException if the count would pass {@link Long#MAX_VALUE}; nothing changes
   * @throws SongLimitException if the song is new and the table is full; nothing changes
   */
  long add(String id, long delta) {
    int hash = CountTable.hash(id);
    Stripe stripe = stripeOf(hash);
    stripe.lock();
    try {
      CountTable table = stripe.table;
      long count = table.get(id, hash); // 0 only for a song not held: held counts are >= 1
      if (count == 0) {
        reserveSongs(1);
      } else if (count > Long.MAX_VALUE - delta) {
        throw new CountOverflowException(id);
      }
      return table.add(id, hash, delta);
    } finally {
      stripe.unlock();
    }
  }

  /**
   * Adds every pair or none, and returns the new counts in the order given.
   *
   * @throws CountOverflowException if a count would pass {@link Long#MAX_VALUE}; nothing changes
   * @throws SongLimitException if the new songs among them do not fit; nothing changes
   */
  Map<String, Long> addAll(Map<String, Long> plays) {
    int n = plays.size();
    String[] ids = plays.keySet().toArray(new String[n]);
    int[] hashes = new int[n];
    boolean[] locked = new boolean[STRIPES];
    for (int i = 0; i < n; i++) {
      hashes[i] = CountTable.hash(ids[i]);
      locked[stripeIndex(hashes[i])] = true;
    }
    for (int s = 0; s < STRIPES; s++) { // ascending order: two bulk adds never deadlock
      if (locked[s]) {
        stripes[s].lock();
      }
    }
    try {
      int newSongs = 0;
      for (int i = 0; i < n; i++) {
        long delta = plays.get(ids[i]);
        if (delta < 1) {
          throw new IllegalArgumentException("count < 1: " + delta);
        }
        long count = stripeOf(hashes[i]).table.get(ids[i], hashes[i]);
        if (count == 0) {
          newSongs++;
        } else if (count > Long.MAX_VALUE - delta) {
          throw new CountOverflowException(ids[i]);
        }
      }
      reserveSongs(newSongs);
      Map<String, Long> counts = new LinkedHashMap<>(n * 2);
      for (int i = 0; i < n; i++) {
        counts.put(ids[i], stripeOf(hashes[i]).table.add(ids[i], hashes[i], plays.get(ids[i])));
      }
      return counts;
    } finally {
      for (int s = STRIPES - 1; s >= 0; s--) {
        if (locked[s]) {
          stripes[s].unlock();
        }
      }
    }
  }

  /** Adds counts that were held before, as a put-back does: no limit, saturating at the top. */
  void addBack(String id, long delta) {
    int hash = CountTable.hash(id);
    Stripe stripe = stripeOf(hash);
    stripe.lock();
    try {
      CountTable table = stripe.table;
      long count = table.get(id, hash);
      if (count == 0) {
        songs.incrementAndGet();
      }
      table.put(id, hash, count > Long.MAX_VALUE - delta ? Long.MAX_VALUE : count + delta);
    } finally {
      stripe.unlock();
    }
  }

  /** Removes one song and returns the count it had, 0 if none. */
  long remove(String id) {
    int hash = CountTable.hash(id);
    Stripe stripe = stripeOf(hash);
    stripe.lock();
    try {
      long count = stripe.table.remove(id, hash);
      if (count > 0) {
        songs.decrementAndGet();
      }
      return count;
    } finally {
      stripe.unlock();
    }
  }

  /**
   * Takes every stripe's table whole and returns them: exactly the counts removed. Each stripe
   * is locked only for the swap, so plays wait at most that long.
   */
  Drained drain() {
    List<CountTable> taken = new ArrayList<>();
    for (Stripe stripe : stripes) {
      stripe.lock();
      try {
        if (stripe.table.size() > 0) {
          taken.add(stripe.table);
          songs.addAndGet(-stripe.table.size());
          stripe.table = new CountTable();
        }
      } finally {
        stripe.unlock();
      }
    }
    return new Drained(taken);
  }

  /**
   * Hands every song with its count to {@code visitor}, a copy of one stripe at a time, so that
   * a slow visitor holds no lock: consistent per stripe, and plays made meanwhile in stripes not
   * yet copied are seen.
   */
  <X extends Exception> void snapshot(CountVisitor<X> visitor) throws X {
    for (Stripe stripe : stripes) {
      CountTable copy;
      stripe.lock();
      try {
        if (stripe.table.size() == 0) {
          continue;
        }
        copy = stripe.table.copy();
      } finally {
        stripe.unlock();
      }
      copy.forEach(visitor);
    }
  }

  /**
   * Applies a recorded change during recovery: no limit, and a count may pass through zero or
   * below on the way (a removal recorded before the play it took). {@link #finishReplay} then
   * drops the songs left at zero or below.
   */
  void replay(String id, long delta) {
    int hash = CountTable.hash(id);
    Stripe stripe = stripeOf(hash);
    stripe.lock();
    try {
      stripe.table.add(id, hash, delta);
    } finally {
      stripe.unlock();
    }
  }

  /** Ends a recovery: drops songs without plays and counts the rest. */
  void finishReplay() {
    long held = 0;
    for (Stripe stripe : stripes) {
      stripe.lock();
      try {
        stripe.table.removeNonPositive();
        held += stripe.table.size();
      } finally {
        stripe.unlock();
      }
    }
    songs.set(held);
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
    if (songs.addAndGet(n) > maxSongs) {
      songs.addAndGet(-n);
      throw new SongLimitException(maxSongs);
    }
  }

  private Stripe stripeOf(int hash) {
    return stripes[stripeIndex(hash)];
  }

  /** The top bits choose the stripe; a table's slot comes from the low bits. */
  private static int stripeIndex(int hash) {
    return hash >>> 24;
  }

  /** One stripe: its lock and the table it guards. */
  private static final class Stripe extends ReentrantLock {
    private static final long serialVersionUID = 1L;
    private transient CountTable table = new CountTable();
  }
}
