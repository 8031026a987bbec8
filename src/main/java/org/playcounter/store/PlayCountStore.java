package org.playcounter.store;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;

/**
 * The play counts of one deployment, in memory or backed by a journal in a data directory: the
 * whole surface the HTTP layer uses. A song with no plays is simply absent.
 *
 * <p>Each method is atomic for each song it touches and {@link #add} for all of its songs at
 * once; {@link #remove} and {@link #drain} are exactly-once: every acknowledged play is in what
 * they return or still in the store, never both. Whole-store reads are consistent per stripe of
 * the table ({@link SongTable}), not across stripes. With a journal, every change is recorded
 * before it is acknowledged; a change the journal cannot take throws
 * {@link StorageFailedException} and changes nothing. Kept in the {@code ServletContext} under
 * {@link #ATTRIBUTE}, one per deployment.
 */
public final class PlayCountStore {
  /** The {@code ServletContext} attribute that holds the deployment's store. */
  public static final String ATTRIBUTE = PlayCountStore.class.getName();

  private final SongTable counts;
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
    this(null, false, Long.MAX_VALUE, new SongTable(maxSongs));
  }

  private PlayCountStore(Journal journal, boolean fsyncAlways, long journalMaxBytes,
      SongTable counts) {
    this.counts = counts;
    this.journal = journal;
    this.fsyncAlways = fsyncAlways;
    this.journalMaxBytes = journalMaxBytes;
  }

  /**
   * Opens a durable store on the journal in {@code dataDir}, rebuilt from what it recorded
   * straight into the table. Every change is journaled before it returns; with
   * {@code fsyncAlways} it is also on disk. The journal is compacted once it passes
   * {@code journalMaxBytes}.
   *
   * @throws IOException naming the directory or the damaged file and offset
   */
  public static PlayCountStore open(Path dataDir, long maxSongs, boolean fsyncAlways,
      long journalMaxBytes, Consumer<String> log) throws IOException {
    SongTable recovered = new SongTable(maxSongs);
    Journal journal = Journal.open(dataDir, recovered::replay, log);
    recovered.finishReplay();
    return new PlayCountStore(journal, fsyncAlways, journalMaxBytes, recovered);
  }

  /** The journal, or null for a store in memory only; for tests of its failures. */
  Journal journal() {
    return journal;
  }

  /** True when changes are journaled in a data directory. */
  public boolean durable() {
    return journal != null;
  }

  /** Bytes in the current journal file; 0 in memory only. */
  public long journalBytes() {
    return journal == null ? 0 : journal.size();
  }

  /** fsyncs of the journal since start; 0 in memory only. */
  public long journalFsyncs() {
    return journal == null ? 0 : journal.fsyncs();
  }

  /** The song's count, 0 for a song never played: the latest completed change. */
  public long get(String id) {
    return counts.get(id);
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
      return counts.add(id, 1);
    }
    long count = counts.get(id);
    if (count == 0 && counts.songs() >= maxSongs()) {
      throw new SongLimitException(maxSongs()); // refused without touching the journal
    }
    if (count == Long.MAX_VALUE) {
      throw new CountOverflowException(id);
    }
    changeLock.readLock().lock();
    try {
      record(List.of(id), new long[] {1});
      try {
        return counts.add(id, 1);
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
   * Adds every pair or none and returns the new counts, in the order given. All or nothing by
   * construction: the table checks every pair under the locks it applies them under, so a
   * refused add changed nothing and no reader saw any part of it.
   *
   * @throws CountOverflowException if a count would pass {@link Long#MAX_VALUE}
   * @throws SongLimitException if the new songs among them do not fit
   */
  public Map<String, Long> add(Map<String, Long> plays) {
    if (journal == null || plays.isEmpty()) {
      return counts.addAll(plays);
    }
    int newSongs = 0;
    for (Map.Entry<String, Long> play : plays.entrySet()) {
      long count = counts.get(play.getKey());
      if (count == 0) {
        newSongs++;
      } else if (count > Long.MAX_VALUE - play.getValue()) {
        throw new CountOverflowException(play.getKey()); // refused before the journal
      }
    }
    if (counts.songs() + newSongs > maxSongs()) {
      throw new SongLimitException(maxSongs());
    }
    List<String> ids = new ArrayList<>(plays.keySet());
    long[] deltas = ids.stream().mapToLong(plays::get).toArray();
    changeLock.readLock().lock();
    try {
      record(ids, deltas);
      try {
        return counts.addAll(plays);
      } catch (RuntimeException e) {
        // A race at the limit or at overflow since the check: recorded, refused, cancelled.
        long[] cancel = new long[deltas.length];
        for (int i = 0; i < deltas.length; i++) {
          cancel[i] = -deltas[i];
        }
        journal.append(ids, cancel);
        throw e;
      }
    } finally {
      changeLock.readLock().unlock();
      compactIfDue();
    }
  }

  /** Removes one song and returns the count it had (0 if none). Atomic. */
  public long remove(String id) {
    if (journal == null) {
      return counts.remove(id);
    }
    changeLock.readLock().lock();
    try {
      long count = counts.remove(id);
      if (count > 0) {
        try {
          record(List.of(id), new long[] {-count});
        } catch (RuntimeException e) {
          counts.addBack(id, count); // not recorded, so not removed
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
   * Hands every song with its count to {@code visitor}, without changing anything. Consistent
   * per stripe of the table: plays made while it runs may or may not be seen.
   */
  public <X extends Exception> void snapshot(CountVisitor<X> visitor) throws X {
    counts.snapshot(visitor);
  }

  /**
   * Removes every song and returns exactly the counts removed. Exactly-once under any
   * concurrency: each acknowledged play is in the result or still in the store, never both.
   */
  public Drained drain() {
    if (journal == null) {
      return counts.drain();
    }
    changeLock.readLock().lock();
    try {
      Drained drained = counts.drain();
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
    drained.forEach(counts::addBack);
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
    if (drained.size() == 0) {
      return;
    }
    List<String> ids = new ArrayList<>(drained.size());
    long[] deltas = new long[drained.size()];
    drained.forEach((id, count) -> {
      deltas[ids.size()] = sign * count;
      ids.add(id);
    });
    record(ids, deltas);
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
    } catch (StorageFailedException e) {
      // The journal is failed now and says why; the change that got here already succeeded,
      // and every later one answers 503.
    } finally {
      changeLock.writeLock().unlock();
      compacting.set(false);
    }
  }

  /** Waits for changes in flight, then flushes and closes the journal, if any. */
  public void close() {
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
  public void flush() {
    if (journal != null) {
      journal.flush();
    }
  }

  /** Why the store cannot take writes, or null when it can. */
  public String unavailable() {
    if (journal != null && journal.failure() != null) {
      return journal.failure();
    }
    if (counts.songs() >= maxSongs()) {
      return "full: " + counts.songs() + " songs held, max-songs is " + maxSongs()
          + "; new songs are refused";
    }
    return null;
  }

  /** Songs held now; exact when no change is running. */
  public long songs() {
    return counts.songs();
  }

  /** The most songs this store holds at once. */
  public long maxSongs() {
    return counts.maxSongs();
  }
}
