package org.playcounter.store;

import java.io.IOException;
import java.nio.file.Path;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.function.Consumer;

/**
 * The play counts of one deployment, in memory or backed by a journal in a data directory: the
 * whole surface the HTTP layer uses. A song with no plays is simply absent.
 *
 * <p>Each method is atomic for each song it touches and {@link #add} for all of its songs at
 * once; {@link #remove} and {@link #drain} are exactly-once: every acknowledged play is in what
 * they return or still in the store, never both. Whole-store reads are consistent per stripe of
 * the table ({@link SongTable}), not across stripes. With a journal, every change is recorded
 * before it is acknowledged, and memory always holds what recovery would rebuild from the
 * directory ({@link Journal}); a change the journal cannot take throws
 * {@link StorageFailedException}, saying whether it changed anything. Kept in the
 * {@code ServletContext} under {@link #ATTRIBUTE}, one per deployment.
 */
public final class PlayCountStore {
  /** The {@code ServletContext} attribute that holds the deployment's store. */
  public static final String ATTRIBUTE = PlayCountStore.class.getName();

  private final SongTable counts;
  /** Where changes are recorded before they are acknowledged; null keeps counts in memory. */
  private final Journal journal;
  private final Path dataDir;
  private final Consumer<String> log;
  /** Drains being delivered ({@link #drain(Delivery)}); close waits for them. */
  private int deliveries;

  /** Creates an empty store, in memory only, that holds at most {@code maxSongs} songs. */
  public PlayCountStore(long maxSongs) {
    this(new SongTable(maxSongs), null, null, line -> { });
  }

  private PlayCountStore(SongTable counts, Journal journal, Path dataDir, Consumer<String> log) {
    this.counts = counts;
    this.journal = journal;
    this.dataDir = dataDir;
    this.log = log;
  }

  /**
   * Opens a durable store on the journal in {@code dataDir}, rebuilt from what it recorded
   * straight into the table. With {@code fsyncAlways} every change is on disk before it returns;
   * otherwise plays are in the file and forced every {@code fsyncIntervalMs}, while removals are
   * always forced. The journal is compacted once it passes {@code journalMaxBytes}.
   *
   * @throws IOException naming the directory or the damaged file and offset
   */
  public static PlayCountStore open(Path dataDir, long maxSongs, boolean fsyncAlways,
      long fsyncIntervalMs, long journalMaxBytes, Consumer<String> log) throws IOException {
    return open(dataDir, maxSongs, new Journal.Settings(fsyncAlways, fsyncIntervalMs,
        journalMaxBytes, Journal.Settings.WRITE_BUFFER, ChannelOpener.FILES, log));
  }

  /** Opens a durable store with the journal's settings given whole; for tests of its faults. */
  static PlayCountStore open(Path dataDir, long maxSongs, Journal.Settings settings)
      throws IOException {
    SongTable recovered = new SongTable(maxSongs);
    Journal journal = Journal.open(dataDir, recovered, settings);
    return new PlayCountStore(recovered, journal, dataDir, settings.log());
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

  /** Compactions of the journal finished since start; 0 in memory only. */
  public long journalCompactions() {
    return journal == null ? 0 : journal.compactions();
  }

  /** The longest time the journal held every change off since start, in seconds. */
  public double journalLongestStallSeconds() {
    return journal == null ? 0 : journal.longestHoldNanos() / 1e9;
  }

  /** fsyncs of the journal since start; 0 in memory only. */
  public long journalFsyncs() {
    return journal == null ? 0 : journal.fsyncs();
  }

  /**
   * The song's count, 0 for a song never played: the latest completed change, live plus pending
   * drains (plays whose hand-over is not acknowledged yet).
   */
  public long get(String id) {
    return counts.get(id);
  }

  /**
   * Adds one play and returns the count after it. Atomic: under any concurrency each call
   * returns a distinct value and no play is lost.
   *
   * @throws CountOverflowException if the count would pass {@link Long#MAX_VALUE}; nothing changes
   * @throws SongLimitException if the song is new and the store is full; nothing changes
   * @throws StorageFailedException if the journal could not take it, saying whether it counts
   */
  public long increment(String id) {
    if (journal == null) {
      return counts.add(id, 1, Recorder.NONE);
    }
    Change change = journal.change(false);
    long count = play(id, change);
    awaitPlays(change);
    return count;
  }

  /**
   * Adds every pair or none and returns the new counts, in the order given. All or nothing by
   * construction: the table checks every pair under the locks it applies them under, so a
   * refused add changed nothing and no reader saw any part of it; the journal holds it as one
   * change.
   *
   * @throws CountOverflowException if a count would pass {@link Long#MAX_VALUE}
   * @throws SongLimitException if the new songs among them do not fit
   * @throws StorageFailedException if the journal could not take it, saying whether it counts
   */
  public Map<String, Long> add(Map<String, Long> plays) {
    if (journal == null || plays.isEmpty()) {
      return counts.addAll(plays, Recorder.NONE);
    }
    Change change = journal.change(false);
    Map<String, Long> added = addAll(plays, change);
    awaitPlays(change);
    return added;
  }

  /**
   * Adds one play as {@link #increment(String)} does, without waiting for the disk: returns at
   * once, and {@code acknowledgement} hears the count once the play is acknowledged (at once in
   * memory only). Many plays waiting this way share one write and one fsync.
   *
   * @throws CountOverflowException if the count would pass {@link Long#MAX_VALUE}; nothing changes
   * @throws SongLimitException if the song is new and the store is full; nothing changes
   * @throws StorageFailedException if the journal takes no changes; nothing changes
   */
  public void increment(String id, Acknowledgement<Long> acknowledgement) {
    if (journal == null) {
      acknowledgement.done(counts.add(id, 1, Recorder.NONE), null);
      return;
    }
    Change change = journal.change(false);
    change.whenDone(play(id, change), acknowledgement, NOT_FORCED);
  }

  /**
   * Adds every pair or none as {@link #add(Map)} does, without waiting for the disk:
   * {@code acknowledgement} hears the new counts once the change is acknowledged.
   *
   * @throws CountOverflowException if a count would pass {@link Long#MAX_VALUE}
   * @throws SongLimitException if the new songs among them do not fit
   * @throws StorageFailedException if the journal takes no changes; nothing changes
   */
  public void add(Map<String, Long> plays, Acknowledgement<Map<String, Long>> acknowledgement) {
    if (journal == null || plays.isEmpty()) {
      acknowledgement.done(counts.addAll(plays, Recorder.NONE), null);
      return;
    }
    Change change = journal.change(false);
    change.whenDone(addAll(plays, change), acknowledgement, NOT_FORCED);
  }

  /**
   * Removes one song, live and from every pending drain, and returns the count it had (0 if
   * none). Atomic.
   */
  public long remove(String id) {
    if (journal == null) {
      return counts.remove(id, Recorder.NONE);
    }
    Change change = journal.change(true);
    long count;
    Lock shared = sharedLock();
    try {
      count = counts.remove(id, change);
    } finally {
      shared.unlock();
    }
    if (count > 0) {
      awaitRemoval(change, "the removal of " + id);
    }
    return count;
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
   * concurrency: each acknowledged play is in the result or still in the store, never both. With
   * a journal the removal is forced to disk before it returns, so a restart never brings a
   * drained play back.
   */
  public Drained drain() {
    if (journal == null) {
      return counts.drain(Recorder.NONE);
    }
    Change change = journal.change(true);
    Drained drained;
    Lock shared = sharedLock();
    try {
      drained = counts.drain(change);
    } finally {
      shared.unlock();
    }
    if (drained.size() > 0) {
      awaitRemoval(change, "a drain of " + drained.size() + " songs");
    }
    return drained;
  }

  /**
   * Moves every live count into a new pending drain and returns it: exactly-once as
   * {@link #drain()} is, but the counts stay held (and counted by {@link #get} and
   * {@link #snapshot}) until {@link #acknowledge}. With a journal the move is forced to disk
   * before it returns, so a restart finds the drain pending with the same number and counts.
   *
   * @throws TooManyDrainsException if {@code limit} drains are pending already; nothing changes
   * @throws StorageFailedException if the journal could not take it; nothing changed
   */
  public PendingDrain createDrain(int limit) {
    if (journal == null) {
      return counts.createDrain(limit, Recorder.NONE);
    }
    Change change = journal.change(true);
    PendingDrain drain;
    Lock shared = sharedLock();
    try {
      drain = counts.createDrain(limit, change);
    } finally {
      shared.unlock();
    }
    awaitRemoval(change, "pending drain " + drain.number());
    return drain;
  }

  /** Pending drain {@code number} with its counts as they are now, or null if not pending. */
  public PendingDrain pendingDrain(long number) {
    Drained drained = counts.pending(number);
    return drained == null ? null : new PendingDrain(number, drained);
  }

  /** The numbers of the pending drains, ascending. */
  public long[] pendingDrains() {
    return counts.pendingDrains();
  }

  /**
   * Acknowledges pending drain {@code number}: its counts are stored elsewhere, so they are gone
   * here, forced to disk with a journal. Returns false when no such drain is pending.
   *
   * @throws StorageFailedException if the journal could not take it; nothing changed
   */
  public boolean acknowledge(long number) {
    if (journal == null) {
      return counts.acknowledge(number, Recorder.NONE) != null;
    }
    Change change = journal.change(true);
    Drained acknowledged;
    Lock shared = sharedLock();
    try {
      acknowledged = counts.acknowledge(number, change);
    } finally {
      shared.unlock();
    }
    if (acknowledged != null) {
      awaitRemoval(change, "the acknowledgement of drain " + number);
    }
    return acknowledged != null;
  }

  /** Removes every count, live and pending: the pending drains are gone too. */
  public void reset() {
    drain();
    for (long number : pendingDrains()) {
      acknowledge(number);
    }
  }

  /**
   * Drains as {@link #drain()} does and hands the counts to {@code delivery}; if it throws, they
   * are put back ({@link #restore}) before its exception goes on. {@link #close} waits for
   * deliveries in progress, so that a failing one can still put its counts back.
   */
  public <X extends Exception> Drained drain(Delivery<X> delivery) throws X {
    synchronized (this) {
      deliveries++;
    }
    try {
      Drained drained = drain();
      try {
        delivery.deliver(drained);
      } catch (Exception e) {
        try {
          restore(drained);
        } catch (RuntimeException failed) {
          e.addSuppressed(failed);
        }
        throw e;
      }
      return drained;
    } finally {
      synchronized (this) {
        deliveries--;
        notifyAll();
      }
    }
  }

  /** Hands a drain's counts to whoever asked for them; throws if they did not get there. */
  @FunctionalInterface
  public interface Delivery<X extends Exception> {
    void deliver(Drained drained) throws X;
  }

  /**
   * Adds drained counts back, for a drain whose result could not be delivered, forced to disk in
   * both modes. Ignores the song limit, since these plays were already held once, and saturates
   * rather than overflows. If the journal cannot take them, they are written to a file of their
   * own in the data directory (named in the log) in the format {@code POST /} takes.
   */
  public void restore(Drained drained) {
    if (journal == null) {
      counts.restore(drained, Recorder.NONE);
      return;
    }
    if (drained.size() == 0) {
      return;
    }
    try {
      Change change = journal.change(true);
      Lock shared = sharedLock();
      try {
        counts.restore(drained, change);
      } finally {
        shared.unlock();
      }
      awaitRemoval(change, "the put-back of a drain of " + drained.size() + " songs");
    } catch (StorageFailedException e) {
      rescue(drained, e);
      throw e;
    }
  }

  /** Writes counts that neither memory nor the journal could take back to a file of their own. */
  private void rescue(Drained drained, StorageFailedException cause) {
    Path file = dataDir.resolve("undelivered-drain-" + System.currentTimeMillis() + ".txt");
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII)) {
      drained.forEach((id, count) -> out.write(id + " " + count + "\n"));
    } catch (IOException e) {
      log.accept("playcounter: LOST a drain of " + drained.size() + " songs: it could not be"
          + " delivered, put back (" + cause.getMessage() + ") or written to " + file + " (" + e
          + ")");
      return;
    }
    log.accept("playcounter: a drain of " + drained.size() + " songs could not be delivered"
        + " or put back (" + cause.getMessage() + "); its counts are in " + file
        + ": POST that file to / once the counter takes changes again");
  }

  /** Records and applies one play, holding off compaction's switch meanwhile. */
  private long play(String id, Change change) {
    Lock shared = sharedLock();
    try {
      return counts.add(id, 1, change);
    } finally {
      shared.unlock();
    }
  }

  /** Records and applies a bulk add, holding off compaction's switch meanwhile. */
  private Map<String, Long> addAll(Map<String, Long> plays, Change change) {
    Lock shared = sharedLock();
    try {
      return counts.addAll(plays, change);
    } finally {
      shared.unlock();
    }
  }

  private Lock sharedLock() {
    Lock shared = journal.changes().readLock();
    shared.lock();
    return shared;
  }

  /** Plays are acknowledged with the durability their mode promises, or refused saying so. */
  private static void awaitPlays(Change change) {
    if (!change.await()) {
      throw new StorageFailedException(NOT_FORCED);
    }
  }

  private static final String NOT_FORCED = "storage failed: the change was written to the"
      + " journal and counts, but could not be forced to disk; do not send it again";

  /**
   * Removals stand once in the file: memory and file agree that the counts are gone, so the
   * caller must deliver them even when the fsync failed (the journal then refuses everything
   * after).
   */
  private void awaitRemoval(Change change, String what) {
    if (!change.await()) {
      log.accept("playcounter: " + what + " is in the journal but could not be forced to disk;"
          + " it stands");
    }
  }

  /**
   * Waits for drains still being delivered (so that one which fails can still be put back), then
   * writes and forces every change and closes the journal, if any.
   */
  public void close() {
    if (journal == null) {
      return;
    }
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    synchronized (this) {
      while (deliveries > 0 && System.nanoTime() < deadline) {
        try {
          wait(1000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      if (deliveries > 0) {
        log.accept("playcounter: closing with " + deliveries + " drains still being"
            + " delivered; if one fails now its counts go to an undelivered-drain file");
      }
    }
    journal.close();
  }

  /** Closes as {@link #close()} does but leaves the journal as it is, with no snapshot; tests. */
  void closeKeepingJournal() {
    journal.stop(false);
  }

  /** Forces journaled changes to disk and waits for it. */
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
    long held = counts.songs() + counts.pendingSongs();
    if (held >= maxSongs()) {
      return "full: " + held + " songs held (" + counts.pendingSongs() + " in pending drains),"
          + " max-songs is " + maxSongs() + "; new songs are refused";
    }
    return null;
  }

  /** Songs held live now; exact when no change is running. */
  public long songs() {
    return counts.songs();
  }

  /** Songs held in pending drains now. */
  public long pendingSongs() {
    return counts.pendingSongs();
  }

  /** The most songs this store holds at once. */
  public long maxSongs() {
    return counts.maxSongs();
  }
}
