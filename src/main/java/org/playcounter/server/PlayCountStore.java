package org.playcounter.server;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The play counts of one deployment: a concurrent map from song id to a 64-bit counter cell,
 * where a song with no plays is simply absent.
 *
 * <p>A play of a held song is one compare-and-set on its cell: no lock, no allocation, and each
 * play sees its own result, so none is lost. A cell leaves the map before it is sealed with
 * {@link #REMOVED}: whoever seals it owns the count it held, and a play that meets a sealed cell
 * starts the song afresh in the map. That makes {@link #remove} and {@link #drain} exactly-once:
 * every acknowledged play is in what they return or still in the store, never both. Whole-map
 * reads are weakly consistent. Kept in the {@code ServletContext} under {@link #ATTRIBUTE}, one
 * per deployment.
 */
public final class PlayCountStore {
  /** The {@code ServletContext} attribute that holds the deployment's store. */
  public static final String ATTRIBUTE = PlayCountStore.class.getName();

  /** The value of a cell taken out of the map; counts are never negative. */
  private static final long REMOVED = Long.MIN_VALUE;


  private final ConcurrentHashMap<String, AtomicLong> counts = new ConcurrentHashMap<>();
  /** Songs held: exact, unlike the map's size, because each change counts inside its lock. */
  private final AtomicLong songs = new AtomicLong();
  private final long maxSongs;
  private final Function<String, AtomicLong> newSong = id -> newCell(true);
  private final Function<String, AtomicLong> restoredSong = id -> newCell(false);
  /** Where changes are recorded before they are acknowledged; null keeps counts in memory. */
  private final Journal journal;
  private final boolean fsyncAlways;
  private final long journalMaxBytes;
  /**
   * Changes hold the read side while they are journaled and applied, so that a compaction,
   * which holds the write side, snapshots exactly what the journals add up to.
   */
  private final ReentrantReadWriteLock changeLock = new ReentrantReadWriteLock();
  private final AtomicBoolean compacting = new AtomicBoolean();

  /** Creates an empty store, in memory only, that holds at most {@code maxSongs} songs. */
  public PlayCountStore(long maxSongs) {
    this(maxSongs, null, false, Long.MAX_VALUE);
  }

  private PlayCountStore(long maxSongs, Journal journal, boolean fsyncAlways,
      long journalMaxBytes) {
    if (maxSongs < 1) {
      throw new IllegalArgumentException("maxSongs < 1: " + maxSongs);
    }
    this.maxSongs = maxSongs;
    this.journal = journal;
    this.fsyncAlways = fsyncAlways;
    this.journalMaxBytes = journalMaxBytes;
  }

  /**
   * Opens a durable store on the journal in {@code dataDir}, rebuilt from what it recorded.
   * Every change is journaled before it returns; with {@code fsyncAlways} it is also on disk.
   *
   * @throws IOException naming the directory or the damaged file and offset
   */
  static PlayCountStore open(Settings settings, Consumer<String> log) throws IOException {
    Map<String, Long> recovered = new HashMap<>();
    Journal journal = Journal.open(Path.of(settings.dataDir()),
        (id, delta) -> recovered.merge(id, delta, Long::sum), log);
    PlayCountStore store = new PlayCountStore(settings.maxSongs(), journal,
        settings.fsyncAlways(), settings.journalMaxBytes());
    recovered.forEach((id, count) -> {
      if (count > 0) {
        store.counts.put(id, new AtomicLong(count));
        store.songs.incrementAndGet();
      }
    });
    return store;
  }

  /** The journal, or null for a store in memory only. */
  Journal journal() {
    return journal;
  }

  /** The song's count, 0 for a song never played; the latest completed change, lock-free. */
  public long get(String id) {
    AtomicLong cell = counts.get(id);
    long count = cell == null ? 0 : cell.get();
    return Math.max(count, 0);
  }

  /**
   * Adds one play and returns the count after it. Atomic: under any concurrency each call
   * returns a distinct value and no play is lost.
   *
   * @throws CountOverflowException if the count would pass {@link Long#MAX_VALUE}; nothing changes
   * @throws SongLimitException if the song is new and the store is full; nothing changes
   */
  public long increment(String id) {
    if (journal == null) {
      return plus(id, 1, newSong, false);
    }
    AtomicLong cell = counts.get(id);
    if (cell == null && songs.get() >= maxSongs) {
      throw new SongLimitException(maxSongs); // refused without touching the journal
    }
    if (cell != null && cell.get() == Long.MAX_VALUE) {
      throw new CountOverflowException(id);
    }
    changeLock.readLock().lock();
    try {
      record(List.of(id), new long[] {1});
      try {
        return plus(id, 1, newSong, false);
      } catch (RuntimeException e) {
        journal.append(id, -1); // the play was recorded but refused: cancel it
        throw e;
      }
    } finally {
      changeLock.readLock().unlock();
      compactIfDue();
    }
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
      long count = get(play.getKey());
      if (count == 0) {
        newSongs++;
      } else if (count > Long.MAX_VALUE - delta) {
        throw new CountOverflowException(play.getKey());
      }
    }
    if (songs.get() + newSongs > maxSongs) {
      throw new SongLimitException(maxSongs);
    }
    if (journal == null) {
      return addChecked(plays, false);
    }
    List<String> ids = new ArrayList<>(plays.keySet());
    long[] deltas = ids.stream().mapToLong(plays::get).toArray();
    changeLock.readLock().lock();
    try {
      record(ids, deltas);
      try {
        return addChecked(plays, true);
      } catch (TakenBack e) {
        List<String> cancelled = new ArrayList<>(e.ids);
        long[] cancel = cancelled.stream().mapToLong(id -> -plays.get(id)).toArray();
        if (!cancelled.isEmpty()) {
          journal.append(cancelled, cancel); // the pairs recorded, refused and taken back
        }
        throw e.cause;
      }
    } finally {
      changeLock.readLock().unlock();
      compactIfDue();
    }
  }

  private Map<String, Long> addChecked(Map<String, Long> plays, boolean journaled) {
    Map<String, Long> added = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, Long> play : plays.entrySet()) {
        added.put(play.getKey(), plus(play.getKey(), play.getValue(), newSong, false));
      }
      return added;
    } catch (RuntimeException e) {
      List<String> takenBack = new ArrayList<>();
      for (String id : added.keySet()) {
        if (takeBack(id, plays.get(id))) {
          takenBack.add(id);
        }
      }
      // Pairs never added are cancelled in the journal too; pairs a drain took stay recorded.
      for (String id : plays.keySet()) {
        if (!added.containsKey(id)) {
          takenBack.add(id);
        }
      }
      if (journaled) {
        throw new TakenBack(takenBack, e);
      }
      throw e;
    }
  }

  /** A failed bulk add, with the ids whose plays are no longer in the store. */
  private static final class TakenBack extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient List<String> ids;
    private final RuntimeException cause;

    TakenBack(List<String> ids, RuntimeException cause) {
      super(null, null, false, false);
      this.ids = ids;
      this.cause = cause;
    }
  }

  /** Removes one song and returns the count it had (0 if none). Atomic. */
  public long remove(String id) {
    if (journal == null) {
      AtomicLong cell = counts.remove(id);
      return cell == null ? 0 : seal(cell);
    }
    changeLock.readLock().lock();
    try {
      AtomicLong cell = counts.remove(id);
      long count = cell == null ? 0 : seal(cell);
      if (count > 0) {
        try {
          record(List.of(id), new long[] {-count});
        } catch (RuntimeException e) {
          plus(id, count, restoredSong, true); // not recorded, so not removed
          throw e;
        }
      }
      return count;
    } finally {
      changeLock.readLock().unlock();
      compactIfDue();
    }
  }

  /**
   * Hands every song with its count to {@code visitor}, without changing anything. Weakly
   * consistent: each count is one the song really had during the call, but plays made while it
   * runs may or may not be seen.
   */
  public <X extends Exception> void snapshot(CountVisitor<X> visitor) throws X {
    for (Map.Entry<String, AtomicLong> entry : counts.entrySet()) {
      long count = entry.getValue().get();
      if (count > 0) {
        visitor.visit(entry.getKey(), count);
      }
    }
  }

  /**
   * Removes every song and returns exactly the counts removed. Exactly-once under any
   * concurrency: each acknowledged play is in the result or still in the store, never both.
   */
  public Drained drain() {
    if (journal == null) {
      return drainMap();
    }
    changeLock.readLock().lock();
    try {
      Drained drained = drainMap();
      try {
        recordAll(drained, -1);
      } catch (RuntimeException e) {
        putBack(drained); // not recorded as removed, so not removed
        throw e;
      }
      return drained;
    } finally {
      changeLock.readLock().unlock();
      compactIfDue();
    }
  }

  private Drained drainMap() {
    Drained drained = new Drained((int) Math.min(songs.get() + 16, Integer.MAX_VALUE - 8));
    for (String id : counts.keySet()) {
      AtomicLong cell = counts.remove(id);
      if (cell != null) {
        long count = seal(cell);
        if (count > 0) {
          drained.put(id, count);
        }
      }
    }
    return drained;
  }

  /**
   * Adds drained counts back, for a drain whose result could not be delivered. Ignores the song
   * limit, since these plays were already held once, and saturates rather than overflows.
   */
  public void restore(Drained drained) {
    if (journal == null) {
      putBack(drained);
      return;
    }
    changeLock.readLock().lock();
    try {
      recordAll(drained, 1);
    } finally {
      putBack(drained); // in memory at least, even when the journal cannot take them
      changeLock.readLock().unlock();
    }
  }

  private void putBack(Drained drained) {
    for (int i = 0; i < drained.size; i++) {
      plus(drained.ids[i], drained.counts[i], restoredSong, true);
    }
  }

  /**
   * Journals changes, all plays or all removals, and waits until they are on disk with
   * fsync=always, and for removals whatever the mode: a play handed to the batch job must never
   * come back after a power loss.
   */
  private void record(List<String> ids, long[] deltas) {
    long end = journal.append(ids, deltas);
    if (fsyncAlways || deltas[0] < 0) {
      journal.awaitDurable(end);
    }
  }

  /** Journals a drain's pairs, each with {@code sign}, as one {@link #record}. */
  private void recordAll(Drained drained, int sign) {
    if (drained.size == 0) {
      return;
    }
    long[] deltas = new long[drained.size];
    for (int i = 0; i < drained.size; i++) {
      deltas[i] = sign * drained.counts[i];
    }
    record(Arrays.asList(drained.ids).subList(0, drained.size), deltas);
  }

  /**
   * Writes a snapshot and restarts the journal once it has grown past its bound. The request
   * that finds it due does the work, while every other change waits on the write lock.
   */
  private void compactIfDue() {
    if (journal.size() < journalMaxBytes || !compacting.compareAndSet(false, true)) {
      return;
    }
    changeLock.writeLock().lock();
    try {
      if (journal.size() >= journalMaxBytes) {
        journal.compact(this::snapshot);
      }
    } catch (Journal.JournalFailedException e) {
      // The journal is failed now and says why; the change that got here already succeeded,
      // and every later one answers 503.
    } finally {
      changeLock.writeLock().unlock();
      compacting.set(false);
    }
  }

  /** Waits for changes in flight, then flushes and closes the journal, if any. */
  void close() {
    if (journal == null) {
      return;
    }
    changeLock.writeLock().lock();
    try {
      journal.close();
    } finally {
      changeLock.writeLock().unlock();
    }
  }

  /** Forces journaled changes to disk; for the interval flusher and shutdown. */
  void flush() {
    if (journal != null) {
      journal.flush();
    }
  }

  /** Why the store cannot take writes, or null when it can. */
  String unavailable() {
    if (journal != null && journal.failure() != null) {
      return journal.failure();
    }
    if (songs.get() >= maxSongs) {
      return "full: " + songs.get() + " songs held, max-songs is " + maxSongs
          + "; new songs are refused";
    }
    return null;
  }

  /** Songs held now; exact when no change is running. */
  public long songs() {
    return songs.get();
  }

  /** The most songs this store holds at once. */
  public long maxSongs() {
    return maxSongs;
  }

  /** Adds {@code delta} to the song's cell, creating it if absent, and returns the new count. */
  private long plus(String id, long delta, Function<String, AtomicLong> create,
      boolean saturate) {
    while (true) {
      AtomicLong cell = counts.get(id);
      if (cell == null) {
        cell = counts.computeIfAbsent(id, create);
      }
      long count = cell.get();
      if (count == REMOVED) {
        continue; // taken out by a drain or remove since we found it: start the song afresh
      }
      long next;
      if (count <= Long.MAX_VALUE - delta) {
        next = count + delta;
      } else if (saturate) {
        next = Long.MAX_VALUE;
      } else {
        throw new CountOverflowException(null);
      }
      if (cell.compareAndSet(count, next)) {
        return next;
      }
    }
  }

  /** A cell for a new song; a {@code limited} one is refused when the store is full. */
  private AtomicLong newCell(boolean limited) {
    if (songs.incrementAndGet() > maxSongs && limited) {
      songs.decrementAndGet();
      throw new SongLimitException(maxSongs);
    }
    return new AtomicLong();
  }

  /** Seals a cell already taken out of the map and returns the count it held. */
  private long seal(AtomicLong cell) {
    songs.decrementAndGet();
    return Math.max(cell.getAndSet(REMOVED), 0);
  }

  /**
   * Subtracts what a failed bulk add had added. A cell that falls back to 0 stays in the map (a
   * song with no plays reads as absent) rather than race a play that is adding to it.
   */
  private boolean takeBack(String id, long delta) {
    AtomicLong cell = counts.get(id);
    while (cell != null) {
      long count = cell.get();
      if (count == REMOVED || count < delta) {
        return false; // drained meanwhile: the drain already owns these plays
      }
      if (cell.compareAndSet(count, count - delta)) {
        return true;
      }
    }
    return false;
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
