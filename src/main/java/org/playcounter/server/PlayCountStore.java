package org.playcounter.server;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;

/**
 * The play counts of one deployment: a concurrent map from song id to a 64-bit count, where a
 * song with no plays is simply absent.
 *
 * <p>Every change to one song is one atomic per-key operation of {@link ConcurrentHashMap}, so
 * concurrent plays of one song never lose an increment and each sees its own result. Whole-map
 * reads are weakly consistent; the whole-map removal, {@link #drain}, is still exactly-once,
 * because it takes each song out with an atomic {@code remove(key)}: a play that lands after a
 * song was taken starts that song afresh for the next drain. Kept in the {@code ServletContext}
 * under {@link #ATTRIBUTE}, one per deployment.
 */
public final class PlayCountStore {
  /** The {@code ServletContext} attribute that holds the deployment's store. */
  public static final String ATTRIBUTE = PlayCountStore.class.getName();

  private final ConcurrentHashMap<String, Long> counts = new ConcurrentHashMap<>();
  /** Songs held: exact, unlike the map's size, because each change counts inside its lock. */
  private final AtomicLong songs = new AtomicLong();
  private final long maxSongs;
  private final BiFunction<String, Long, Long> playOnce = (id, count) -> plus(count, 1);

  /** Creates an empty store that holds at most {@code maxSongs} songs at once. */
  public PlayCountStore(long maxSongs) {
    if (maxSongs < 1) {
      throw new IllegalArgumentException("maxSongs < 1: " + maxSongs);
    }
    this.maxSongs = maxSongs;
  }

  /** The song's count, 0 for a song never played; the latest completed change, lock-free. */
  public long get(String id) {
    Long count = counts.get(id);
    return count == null ? 0 : count;
  }

  /**
   * Adds one play and returns the count after it. Atomic: under any concurrency each call
   * returns a distinct value and no play is lost.
   *
   * @throws CountOverflowException if the count would pass {@link Long#MAX_VALUE}; nothing changes
   * @throws SongLimitException if the song is new and the store is full; nothing changes
   */
  public long increment(String id) {
    return counts.compute(id, playOnce);
  }

  /**
   * Adds every pair or none and returns the new counts, in the order given. Each pair is atomic
   * like {@link #increment}. The whole is checked before anything changes; if a concurrent
   * change still makes one pair fail (a race at the song limit or at overflow), the pairs
   * already added are taken back before this throws, and a drain running at that instant may
   * have seen them.
   *
   * @throws CountOverflowException if a count would pass {@link Long#MAX_VALUE}
   * @throws SongLimitException if the new songs among them do not fit
   */
  public Map<String, Long> add(Map<String, Long> plays) {
    int newSongs = 0;
    for (Map.Entry<String, Long> play : plays.entrySet()) {
      long delta = play.getValue();
      if (delta < 1) {
        throw new IllegalArgumentException("count < 1: " + delta);
      }
      Long count = counts.get(play.getKey());
      if (count == null) {
        newSongs++;
      } else if (count > Long.MAX_VALUE - delta) {
        throw new CountOverflowException(play.getKey());
      }
    }
    if (songs.get() + newSongs > maxSongs) {
      throw new SongLimitException(maxSongs);
    }
    Map<String, Long> added = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, Long> play : plays.entrySet()) {
        long delta = play.getValue();
        added.put(play.getKey(), counts.compute(play.getKey(), (id, count) -> plus(count, delta)));
      }
      return added;
    } catch (RuntimeException e) {
      added.keySet().forEach(id -> takeBack(id, plays.get(id)));
      throw e;
    }
  }

  /** Removes one song and returns the count it had (0 if none). Atomic. */
  public long remove(String id) {
    Long count = counts.remove(id);
    if (count == null) {
      return 0;
    }
    songs.decrementAndGet();
    return count;
  }

  /**
   * Hands every song with its count to {@code visitor}, without changing anything. Weakly
   * consistent: each count is one the song really had during the call, but plays made while it
   * runs may or may not be seen.
   */
  public <X extends Exception> void snapshot(CountVisitor<X> visitor) throws X {
    for (Map.Entry<String, Long> entry : counts.entrySet()) {
      visitor.visit(entry.getKey(), entry.getValue());
    }
  }

  /**
   * Removes every song and returns exactly the counts removed. Exactly-once under any
   * concurrency: each acknowledged play is in the result or still in the store, never both.
   */
  public Drained drain() {
    Drained drained = new Drained((int) Math.min(songs.get() + 16, Integer.MAX_VALUE - 8));
    for (String id : counts.keySet()) {
      Long count = counts.remove(id);
      if (count != null) {
        songs.decrementAndGet();
        drained.put(id, count);
      }
    }
    return drained;
  }

  /**
   * Adds drained counts back, for a drain whose result could not be delivered. Ignores the song
   * limit, since these plays were already held once.
   */
  public void restore(Drained drained) {
    for (int i = 0; i < drained.size; i++) {
      long delta = drained.counts[i];
      counts.compute(drained.ids[i], (id, count) -> {
        if (count == null) {
          songs.incrementAndGet();
          return delta;
        }
        // Saturates rather than throws: these plays already fitted in 64 bits once.
        return count > Long.MAX_VALUE - delta ? Long.MAX_VALUE : count + delta;
      });
    }
  }

  /** Songs held now; exact when no change is running. */
  public long songs() {
    return songs.get();
  }

  /** The most songs this store holds at once. */
  public long maxSongs() {
    return maxSongs;
  }

  private Long plus(Long count, long delta) {
    if (count == null) {
      if (songs.incrementAndGet() > maxSongs) {
        songs.decrementAndGet();
        throw new SongLimitException(maxSongs);
      }
      return delta;
    }
    if (count > Long.MAX_VALUE - delta) {
      throw new CountOverflowException(null);
    }
    return count + delta;
  }

  private void takeBack(String id, long delta) {
    counts.computeIfPresent(id, (key, count) -> {
      if (count > delta) {
        return count - delta;
      }
      songs.decrementAndGet();
      return null;
    });
  }

  /** Receives the pairs of a {@link #snapshot}. */
  @FunctionalInterface
  public interface CountVisitor<X extends Exception> {
    void visit(String id, long count) throws X;
  }

  /**
   * The counts one {@link #drain} removed: parallel arrays plus an open-addressing index, 17 to
   * 22 bytes a song. The index exists because a song played again while the drain runs can be
   * met twice by the map's iterator; its two removals are merged into one pair.
   */
  public static final class Drained {
    private String[] ids;
    private long[] counts;
    /** Slot to 1 + position in {@code ids}, 0 for empty; at most three quarters full. */
    private int[] index;
    private int size;

    Drained(int capacity) {
      ids = new String[Math.max(capacity, 16)];
      counts = new long[ids.length];
      index = new int[slotsFor(ids.length)];
    }

    void put(String id, long count) {
      int mask = index.length - 1;
      int slot = spread(id.hashCode()) & mask;
      while (index[slot] != 0) {
        int at = index[slot] - 1;
        if (ids[at].equals(id)) {
          counts[at] += count; // same song taken twice in one drain: both removals count
          return;
        }
        slot = (slot + 1) & mask;
      }
      if (size == ids.length) {
        int grown = (int) Math.min((long) size * 2, Integer.MAX_VALUE - 8);
        ids = Arrays.copyOf(ids, grown);
        counts = Arrays.copyOf(counts, grown);
      }
      ids[size] = id;
      counts[size++] = count;
      index[slot] = size;
      if ((long) size * 4 > (long) index.length * 3) {
        rehash(index.length * 2);
      }
    }

    private void rehash(int slots) {
      index = new int[slots];
      int mask = slots - 1;
      for (int at = 0; at < size; at++) {
        int slot = spread(ids[at].hashCode()) & mask;
        while (index[slot] != 0) {
          slot = (slot + 1) & mask;
        }
        index[slot] = at + 1;
      }
    }

    /** The power of two that holds {@code songs} at most three quarters full. */
    private static int slotsFor(int songs) {
      return Integer.highestOneBit(Math.max(16, songs + songs / 3) - 1) << 1;
    }

    private static int spread(int hash) {
      int mixed = hash * 0x9E3779B1;
      return mixed ^ (mixed >>> 16);
    }

    /** Number of songs drained. */
    public int size() {
      return size;
    }

    /** Hands each drained song and count to {@code visitor}, in drain order. */
    public <X extends Exception> void forEach(CountVisitor<X> visitor) throws X {
      for (int i = 0; i < size; i++) {
        visitor.visit(ids[i], counts[i]);
      }
    }
  }

  /** A change that would take a count past {@link Long#MAX_VALUE}; nothing was changed. */
  public static final class CountOverflowException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CountOverflowException(String id) {
      super(id == null ? "count would overflow 64 bits"
          : "count of song " + id + " would overflow 64 bits", null, false, false);
    }
  }

  /** A play of a new song when the store already holds its limit; nothing was changed. */
  public static final class SongLimitException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SongLimitException(long maxSongs) {
      super("song limit reached: this counter holds at most " + maxSongs
          + " songs; existing songs keep counting", null, false, false);
    }
  }
}
