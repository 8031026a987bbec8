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
import java.util.function.LongConsumer;

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
  /** The idempotency keys remembered, with the answers their requests got. */
  private final IdempotencyKeys keys;
  /** Drains being delivered ({@link #drain(Delivery)}); close waits for them. */
  private int deliveries;

  /** Creates an empty store, in memory only, that holds at most {@code maxSongs} songs. */
  public PlayCountStore(long maxSongs) {
    this(maxSongs, KeyLimits.DEFAULT);
  }

  /** Creates an empty store in memory only that remembers idempotency keys within {@code keys}. */
  public PlayCountStore(long maxSongs, KeyLimits keys) {
    this(new SongTable(maxSongs), null, null, line -> { }, new IdempotencyKeys(keys));
  }

  private PlayCountStore(SongTable counts, Journal journal, Path dataDir, Consumer<String> log,
      IdempotencyKeys keys) {
    this.counts = counts;
    this.journal = journal;
    this.dataDir = dataDir;
    this.log = log;
    this.keys = keys;
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
    return open(dataDir, maxSongs, fsyncAlways, fsyncIntervalMs, journalMaxBytes,
        KeyLimits.DEFAULT, log, nanos -> { });
  }

  /**
   * Opens a durable store as {@link #open(Path, long, boolean, long, long, Consumer)} does, that
   * remembers idempotency keys within {@code keys} (the keys of the journal and snapshot still in
   * the window are remembered again), telling {@code fsynced} how long each successful fsync of
   * the journal took, in nanoseconds; it is called on the journal's writing thread and must be
   * quick.
   */
  public static PlayCountStore open(Path dataDir, long maxSongs, boolean fsyncAlways,
      long fsyncIntervalMs, long journalMaxBytes, KeyLimits keys, Consumer<String> log,
      LongConsumer fsynced) throws IOException {
    return open(dataDir, maxSongs, new IdempotencyKeys(keys),
        new Journal.Settings(fsyncAlways, fsyncIntervalMs, journalMaxBytes,
            Journal.Settings.WRITE_BUFFER, ChannelOpener.FILES, log, fsynced));
  }

  /** Opens a durable store with the journal's settings given whole; for tests of its faults. */
  static PlayCountStore open(Path dataDir, long maxSongs, Journal.Settings settings)
      throws IOException {
    return open(dataDir, maxSongs, settings, KeyLimits.DEFAULT);
  }

  /** Opens a durable store with the journal's settings and key limits given whole; for tests. */
  static PlayCountStore open(Path dataDir, long maxSongs, Journal.Settings settings,
      KeyLimits keys) throws IOException {
    return open(dataDir, maxSongs, new IdempotencyKeys(keys), settings);
  }

  private static PlayCountStore open(Path dataDir, long maxSongs, IdempotencyKeys keys,
      Journal.Settings settings) throws IOException {
    SongTable recovered = new SongTable(maxSongs);
    Journal journal = Journal.open(dataDir, recovered, keys, settings);
    return new PlayCountStore(recovered, journal, dataDir, settings.log(), keys);
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

  /**
   * Bytes the songs' tables hold on the heap, their arrays only (empty slots included); each
   * stripe is read under its lock in turn, so during changes it is not one atomic view.
   */
  public long songBytes() {
    return counts.bytes();
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
    return increment(id, (KeyedRequest) null);
  }

  /**
   * {@link #increment(String)} for a request whose key {@link #begin} found new: the key is
   * recorded with the play and remembered with its answer, or forgotten if the play is refused.
   */
  public long increment(String id, KeyedRequest key) {
    if (journal == null) {
      long count;
      try {
        count = counts.add(id, 1, Recorder.NONE);
      } catch (RuntimeException e) {
        abandon(key);
        throw e;
      }
      answered(key, count, null);
      finish(key);
      return count;
    }
    Change change = keyed(journal.change(false), key);
    long count = play(id, change, key);
    awaitPlays(change, key);
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
    return add(plays, (KeyedRequest) null);
  }

  /** {@link #add(Map)} with a key, as {@link #increment(String, KeyedRequest)} takes one. */
  public Map<String, Long> add(Map<String, Long> plays, KeyedRequest key) {
    if (journal == null || plays.isEmpty()) {
      Map<String, Long> added;
      try {
        added = counts.addAll(plays, Recorder.NONE);
      } catch (RuntimeException e) {
        abandon(key);
        throw e;
      }
      answered(key, 0, added);
      finish(key);
      return added;
    }
    Change change = keyed(journal.change(false), key);
    Map<String, Long> added = addAll(plays, change, key);
    awaitPlays(change, key);
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
    increment(id, null, acknowledgement);
  }

  /** {@link #increment(String, Acknowledgement)} with a key, or none when it is null. */
  public void increment(String id, KeyedRequest key, Acknowledgement<Long> acknowledgement) {
    if (journal == null) {
      acknowledgement.done(increment(id, key), null);
      return;
    }
    Change change = keyed(journal.change(false), key);
    change.whenDone(play(id, change, key), settling(key, acknowledgement), NOT_FORCED);
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
    add(plays, null, acknowledgement);
  }

  /** {@link #add(Map, Acknowledgement)} with a key, or none when it is null. */
  public void add(Map<String, Long> plays, KeyedRequest key,
      Acknowledgement<Map<String, Long>> acknowledgement) {
    if (journal == null || plays.isEmpty()) {
      acknowledgement.done(add(plays, key), null);
      return;
    }
    Change change = keyed(journal.change(false), key);
    change.whenDone(addAll(plays, change, key), settling(key, acknowledgement), NOT_FORCED);
  }

  /**
   * Looks up the idempotency key of a write: {@code NEW} takes it (in progress) and the write
   * goes on, with the key, to {@link #increment(String, KeyedRequest)}, {@link #add(Map,
   * KeyedRequest)} or {@link #createDrain(int, KeyedRequest)}; otherwise the remembered answer,
   * or why it cannot be given (another request with the key, or the first still in progress).
   */
  public IdempotencyKeys.Lookup begin(KeyedRequest key) {
    return keys.begin(key.hi, key.lo, key.fingerprint, key.time, key.answerBound);
  }

  /** Forgets a key {@link #begin} took whose write was refused before it reached the store. */
  public void abandon(KeyedRequest key) {
    if (key != null) {
      keys.abandon(key.hi, key.lo);
    }
  }

  /** Keys remembered now. */
  public int keysRemembered() {
    return keys.size();
  }

  /** Requests answered from a remembered key since start. */
  public long keyReplays() {
    return keys.replays();
  }

  /** Requests refused since start because their key was another request's or still in use. */
  public long keyConflicts() {
    return keys.conflicts();
  }

  /** Keys forgotten before their window ended, to stay within the limit, since start. */
  public long keysDroppedEarly() {
    return keys.droppedEarly();
  }

  /** New keys refused since start: no room while keys were in progress, or an answer too big. */
  public long keysRefused() {
    return keys.refused();
  }

  /** Bytes of remembered bulk answers, and reserved for those of keys in progress. */
  public long keyAnswerBytes() {
    return keys.answerBytes();
  }

  /** Bytes of the arrays that hold the remembered keys. */
  public long keyBytes() {
    return keys.bytes();
  }

  private Change keyed(Change change, KeyedRequest key) {
    return key == null ? change : change.withKey(key, keys);
  }

  /** Sets a key's answer: a count, or the counts of a bulk add. */
  private void answered(KeyedRequest key, long count, Map<String, Long> added) {
    if (key == null) {
      return;
    }
    String body = null;
    if (added != null) {
      StringBuilder text = new StringBuilder(added.size() * 12);
      added.forEach((id, n) -> text.append(text.length() == 0 ? "" : ",").append(id)
          .append('=').append(n));
      body = text.toString();
    }
    keys.answer(key.hi, key.lo, key.kind, count, body);
  }

  private void finish(KeyedRequest key) {
    if (key != null) {
      keys.finish(key.hi, key.lo);
    }
  }

  /**
   * Settles the key once the journal is done with the change (remembered if it counts, forgotten
   * if nothing changed), then tells the caller.
   */
  private <T> Acknowledgement<T> settling(KeyedRequest key, Acknowledgement<T> acknowledgement) {
    if (key == null) {
      return acknowledgement;
    }
    return (result, failure) -> {
      if (failure == null || NOT_FORCED.equals(failure.getMessage())) {
        finish(key);
      } else {
        abandon(key);
      }
      acknowledgement.done(result, failure);
    };
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
    return createDrain(limit, null);
  }

  /** {@link #createDrain(int)} with a key, or none when it is null. */
  public PendingDrain createDrain(int limit, KeyedRequest key) {
    if (journal == null) {
      PendingDrain drain;
      try {
        drain = counts.createDrain(limit, Recorder.NONE);
      } catch (RuntimeException e) {
        abandon(key);
        throw e;
      }
      answered(key, drain.number(), null);
      finish(key);
      return drain;
    }
    Change change = keyed(journal.change(true), key);
    PendingDrain drain;
    Lock shared = sharedLock();
    try {
      drain = counts.createDrain(limit, change);
      answered(key, drain.number(), null);
    } catch (RuntimeException e) {
      abandon(key);
      throw e;
    } finally {
      shared.unlock();
    }
    try {
      awaitRemoval(change, "pending drain " + drain.number());
    } catch (RuntimeException e) {
      abandon(key);
      throw e;
    }
    finish(key);
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

  /**
   * Records and applies one play and sets its key's answer, holding off compaction's switch
   * meanwhile (a snapshot keeps a key exactly when it keeps the key's play). A play refused here
   * forgets its key.
   */
  private long play(String id, Change change, KeyedRequest key) {
    Lock shared = sharedLock();
    try {
      long count = counts.add(id, 1, change);
      answered(key, count, null);
      return count;
    } catch (RuntimeException e) {
      abandon(key);
      throw e;
    } finally {
      shared.unlock();
    }
  }

  /** Records and applies a bulk add as {@link #play} does one play. */
  private Map<String, Long> addAll(Map<String, Long> plays, Change change, KeyedRequest key) {
    Lock shared = sharedLock();
    try {
      Map<String, Long> added = counts.addAll(plays, change);
      answered(key, 0, added);
      return added;
    } catch (RuntimeException e) {
      abandon(key);
      throw e;
    } finally {
      shared.unlock();
    }
  }

  private Lock sharedLock() {
    Lock shared = journal.changes().readLock();
    shared.lock();
    return shared;
  }

  /**
   * Plays are acknowledged with the durability their mode promises, or refused saying so; the key
   * is remembered when they count (forced or not), forgotten when nothing changed.
   */
  private void awaitPlays(Change change, KeyedRequest key) {
    boolean forced;
    try {
      forced = change.await();
    } catch (RuntimeException e) {
      abandon(key);
      throw e;
    }
    finish(key);
    if (!forced) {
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
