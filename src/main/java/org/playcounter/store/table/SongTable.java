package org.playcounter.store.table;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The play counts of one store: {@value #STRIPES} stripes, each a {@link CountTable} under its own
 * lock and resized on its own, chosen by the id's hash, so that plays of different songs rarely
 * wait for each other on any number of cores. A song with no plays is absent.
 *
 * <p>Every method is atomic for each song it touches, and {@link #addAll} for all of them at once:
 * it locks the stripes it needs in ascending order, checks every pair, then records and applies
 * them, so a refused bulk add changes nothing and no other call can see half of one. Each change
 * is handed to a {@link Recorder} under the locks it is applied under, before it is applied; a
 * recorder that throws leaves the table as it was. Whole-table reads ({@link #snapshot}) are
 * consistent per stripe, not across stripes. Removals live in {@link Removals}, pending drains in
 * {@link PendingDrains}, recovery's writes in {@link TableReplay}.
 */
public final class SongTable {
  /** Stripes: a few hundred keep lock contention negligible on any core count. */
  static final int STRIPES = 256;
  /** Recovery's writer, made when first asked for (by the thread that recovers). */
  private TableReplay replay;

  final Stripe[] stripes = new Stripe[STRIPES];
  final SongLimit limit;
  final SnapshotCut cut;
  private final PendingDrains drains;
  private final Removals removals;

  public SongTable(long maxSongs) {
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new Stripe();
    }
    limit = new SongLimit(maxSongs);
    cut = new SnapshotCut(stripes);
    drains = new PendingDrains(this);
    removals = new Removals(this);
  }

  /** The most songs the table holds at once, live and pending. */
  public long maxSongs() {
    return limit.max();
  }

  /** Songs held live now; exact when no change is running. */
  public long songs() {
    return limit.live();
  }

  /** Songs held in pending drains now. */
  public long pendingSongs() {
    return limit.pending();
  }

  /** The pending drains: made, acknowledged, read. */
  public PendingDrains drains() {
    return drains;
  }

  /** Removal of one song or of every live one, and the put-back of a drain. */
  public Removals removals() {
    return removals;
  }

  /** Recovery's way in: changes applied with no limit and no recorder; the same one each time. */
  public TableReplay replay() {
    TableReplay replay = this.replay;
    if (replay == null) {
      replay = new TableReplay(this);
      this.replay = replay;
    }
    return replay;
  }

  /** The song's count, 0 for a song never played: live plus pending, as the latest change left it. */
  public long get(String id) {
    int hash = SongHash.of(id);
    Stripe stripe = stripeOf(hash);
    stripe.lock();
    try {
      return stripe.table.get(id, hash) + stripe.pendingSum(id, hash);
    } finally {
      stripe.unlock();
    }
  }

  /**
   * Adds {@code delta} plays, recorded first, and returns the count after them (live plus
   * pending); each call sees its own result.
   *
   * @throws TableRefusal when the count would pass {@link Long#MAX_VALUE} or the song is new and
   *     the table full; nothing changes
   */
  public long add(String id, long delta, Recorder recorder) {
    int hash = SongHash.of(id);
    Stripe stripe = stripeOf(hash);
    stripe.lock();
    try {
      cut.beforeChange(stripe);
      CountTable table = stripe.table;
      long count = table.get(id, hash); // 0 only for a song not held: held counts are >= 1
      long pending = stripe.pendingSum(id, hash);
      if (count + pending > Long.MAX_VALUE - delta) {
        throw TableRefusal.overflow(id);
      }
      long after = count + pending + delta;
      if (count == 0) {
        limit.reserve(1);
      }
      try {
        if (recorder.records()) {
          recorder.record(new Change.Plays(id, delta, after));
        }
      } catch (RuntimeException e) {
        if (count == 0) {
          limit.addLive(-1);
        }
        throw e;
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
   * @throws TableRefusal when a count would pass {@link Long#MAX_VALUE} or the new songs among
   *     them do not fit; nothing changes
   * @throws IllegalArgumentException for a count below 1
   */
  public Map<String, Long> addAll(Map<String, Long> plays, Recorder recorder) {
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
      hashes[i] = SongHash.of(ids[i]);
      locked[SongHash.stripe(hashes[i])] = true;
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
          throw TableRefusal.overflow(ids[i]);
        } else if (count == 0) {
          newSongs++;
        }
        afters[i] = count + pending + deltas[i];
      }
      limit.reserve(newSongs);
      if (n > 0) {
        try {
          recorder.record(new Change.Bulk(ids, deltas, afters));
        } catch (RuntimeException e) {
          limit.addLive(-newSongs);
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
   * Hands every song with its count, live plus pending, to {@code visitor}, a copy of one stripe
   * at a time, so that a slow visitor holds no lock: consistent per stripe, and plays made
   * meanwhile in stripes not yet copied are seen.
   */
  public <X extends Exception> void snapshot(SongVisitor<X> visitor) throws X {
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
        part.forEach((id, count) -> copy.add(id, SongHash.of(id), count));
      }
      copy.forEach(visitor);
    }
  }

  /** The snapshot cut: the journal cuts the table, then reads it as of the cut. */
  public SnapshotCut snapshotCut() {
    return cut;
  }

  /** Bytes of the live tables' arrays: what the counts cost on the heap, less object headers. */
  public long bytes() {
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
   * Takes every stripe's live table whole, leaving empty ones; the caller holds every stripe. A
   * table taken becomes the snapshot cut's copy of its stripe when the cut still needs one.
   */
  CountTable[] takeLive() {
    CountTable[] taken = new CountTable[STRIPES];
    for (int s = 0; s < STRIPES; s++) {
      Stripe stripe = stripes[s];
      if (stripe.table.size() > 0) {
        cut.beforeTaking(stripe);
        taken[s] = stripe.table;
        stripe.table = new CountTable();
      }
    }
    return taken;
  }

  /** Puts back what {@link #takeLive} took, as copies (a taken one may be a cut's copy). */
  void giveLiveBack(CountTable[] taken) {
    for (int s = 0; s < STRIPES; s++) {
      if (taken[s] != null) {
        stripes[s].table = taken[s].copy();
      }
    }
  }

  /** Locks the stripes marked, in ascending order (two bulk changes never deadlock). */
  void lock(boolean[] which) {
    for (int s = 0; s < STRIPES; s++) {
      if (which[s]) {
        stripes[s].lock();
        cut.beforeChange(stripes[s]);
      }
    }
  }

  void unlock(boolean[] which) {
    for (int s = STRIPES - 1; s >= 0; s--) {
      if (which[s]) {
        stripes[s].unlock();
      }
    }
  }

  void lockAll() {
    for (Stripe stripe : stripes) {
      stripe.lock();
    }
  }

  void unlockAll() {
    for (int s = STRIPES - 1; s >= 0; s--) {
      stripes[s].unlock();
    }
  }

  Stripe stripeOf(int hash) {
    return stripes[SongHash.stripe(hash)];
  }
}
