package org.playcounter.store;

import java.io.IOException;
import java.util.Map;
import org.playcounter.store.journal.Journal;
import org.playcounter.store.journal.Log;
import org.playcounter.store.journal.MemoryLog;
import org.playcounter.store.keys.KeySettlement;
import org.playcounter.store.keys.KeyTable;
import org.playcounter.store.keys.Lookup;
import org.playcounter.store.table.SongTable;

/**
 * The play counts of one deployment, in memory or backed by a journal in a data directory: the
 * whole surface the HTTP layer uses. A song with no plays is simply absent.
 *
 * <p>Each method is atomic for each song it touches and {@link #add} for all of its songs at
 * once; {@link #remove} and the drains are exactly-once: every acknowledged play is in what they
 * return or still in the store, never both. Whole-store reads are consistent per stripe of the
 * table, not across stripes. Every change takes the same three steps whether or not it is
 * journaled ({@link Log}): recorded and applied under the table's locks, then acknowledged with
 * the durability its mode promises or refused ({@link StorageFailedException}, saying whether it
 * changed anything). Kept in the {@code ServletContext} under {@link #ATTRIBUTE}.
 */
public final class PlayCountStore {
  /** The {@code ServletContext} attribute that holds the deployment's store. */
  public static final String ATTRIBUTE = PlayCountStore.class.getName();

  private final SongTable table;
  private final Log log;
  private final KeySettlement keys;
  private final Deliveries deliveries;
  private final StorePlays plays;
  private final StoreDrains drains;
  private final StoreStats stats;

  /** An empty store in memory only that holds at most {@code maxSongs} songs. */
  public PlayCountStore(long maxSongs) {
    this(new SongTable(maxSongs), MemoryLog.INSTANCE, StoreOptions.inMemory(maxSongs),
        new KeyTable(KeyLimits.DEFAULT.windowMs(), KeyLimits.DEFAULT.maxKeys(),
            KeyLimits.DEFAULT.maxAnswerBytes()));
  }

  private PlayCountStore(SongTable table, Log log, StoreOptions options, KeyTable keyTable) {
    this.table = table;
    this.log = log;
    this.keys = new KeySettlement(keyTable);
    this.deliveries = new Deliveries(options.dataDir(), options.log());
    this.plays = new StorePlays(table, log, keys);
    this.drains = new StoreDrains(table, log, keys, deliveries, options.log());
    this.stats = new StoreStats(table, log, keyTable);
  }

  /**
   * Opens a store as {@code options} say: in memory, or on the journal in their data directory,
   * rebuilt from what it recorded (the keys still in their window remembered again).
   *
   * @throws IOException naming the directory, or the damaged file and offset
   */
  public static PlayCountStore open(StoreOptions options) throws IOException {
    SongTable table = new SongTable(options.maxSongs());
    KeyLimits limits = options.keys();
    KeyTable keys = new KeyTable(limits.windowMs(), limits.maxKeys(), limits.maxAnswerBytes());
    Log log = options.dataDir() == null ? MemoryLog.INSTANCE
        : Journal.open(options.dataDir(), table, keys, options.journal());
    return new PlayCountStore(table, log, options, keys);
  }

  /** The journal, or null in memory only; for tests of its failures. */
  Journal journal() {
    return log instanceof Journal ? (Journal) log : null;
  }

  /** True when changes are journaled in a data directory. */
  public boolean durable() {
    return log.durable();
  }

  /** What the store holds and has done, for metrics. */
  public StoreStats stats() {
    return stats;
  }

  /**
   * The song's count, 0 for a song never played: the latest completed change, live plus pending
   * drains (plays whose hand-over is not acknowledged yet).
   */
  public long get(String id) {
    return table.get(id);
  }

  /**
   * Adds one play and returns the count after it: under any concurrency each call returns a
   * distinct value and no play is lost. With {@code key} (from {@link #begin}, or null) the key
   * is recorded with the play and remembered with its answer, or forgotten if it is refused.
   *
   * @throws CountOverflowException if the count would pass {@link Long#MAX_VALUE}; nothing changes
   * @throws SongLimitException if the song is new and the store is full; nothing changes
   * @throws StorageFailedException if the journal could not take it, saying whether it counts
   */
  public long increment(String id, KeyedRequest key) {
    return plays.increment(id, KeyedRequest.key(key));
  }

  /** {@link #increment(String, KeyedRequest)} without a key. */
  public long increment(String id) {
    return increment(id, (KeyedRequest) null);
  }

  /**
   * Adds every pair or none and returns the new counts, in the order given: all or nothing by
   * construction (the table checks every pair under the locks it applies them under, and the
   * journal holds them as one record). A key is taken as {@link #increment} takes one.
   *
   * @throws CountOverflowException if a count would pass {@link Long#MAX_VALUE}
   * @throws SongLimitException if the new songs among them do not fit
   * @throws StorageFailedException if the journal could not take it, saying whether it counts
   */
  public Map<String, Long> add(Map<String, Long> counts, KeyedRequest key) {
    return plays.add(counts, KeyedRequest.key(key));
  }

  /** {@link #add(Map, KeyedRequest)} without a key. */
  public Map<String, Long> add(Map<String, Long> counts) {
    return add(counts, (KeyedRequest) null);
  }

  /**
   * Adds one play as {@link #increment(String, KeyedRequest)} does, without waiting for the
   * disk: returns at once, and {@code acknowledgement} hears the count once the play is
   * acknowledged (at once in memory). Many plays waiting so share one write and one fsync.
   *
   * @throws CountOverflowException, SongLimitException, StorageFailedException as increment does,
   *     when nothing changes
   */
  public void increment(String id, KeyedRequest key, Acknowledgement<Long> acknowledgement) {
    plays.increment(id, KeyedRequest.key(key), acknowledgement);
  }

  /** {@link #add(Map, KeyedRequest)} without waiting, as the asynchronous increment is. */
  public void add(Map<String, Long> counts, KeyedRequest key,
      Acknowledgement<Map<String, Long>> acknowledgement) {
    plays.add(counts, KeyedRequest.key(key), acknowledgement);
  }

  /**
   * Looks up the idempotency key of a write: {@code NEW} takes it (in progress) and the write
   * goes on with it; otherwise the remembered answer, or why it cannot be given.
   */
  public KeyLookup begin(KeyedRequest key) {
    Lookup found = keys.begin(KeyedRequest.key(key));
    return new KeyLookup(KeyLookup.Found.valueOf(found.found().name()), found.kind(),
        found.value(), found.body());
  }

  /** Forgets a key {@link #begin} took whose write was refused before it reached the store. */
  public void abandon(KeyedRequest key) {
    keys.settle(KeyedRequest.key(key), false);
  }

  /** Removes one song, live and from every pending drain; returns the count it had, 0 if none. */
  public long remove(String id) {
    return drains.remove(id);
  }

  /**
   * Hands every song with its count to {@code visitor}, without changing anything. Consistent
   * per stripe: plays made while it runs may or may not be seen.
   */
  public <X extends Exception> void snapshot(CountVisitor<X> visitor) throws X {
    table.snapshot(visitor::visit);
  }

  /** Removes every live song and returns exactly the counts removed, forced to disk first. */
  public Drained drain() {
    return drains.drain();
  }

  /**
   * Drains as {@link #drain()} does and hands the counts to {@code delivery}; if it throws, they
   * are put back ({@link #restore}) before its exception goes on.
   */
  public <X extends Exception> Drained drain(Delivery<X> delivery) throws X {
    return drains.drain(delivery);
  }

  /** Hands a drain's counts to whoever asked for them; throws if they did not get there. */
  @FunctionalInterface
  public interface Delivery<X extends Exception> {
    void deliver(Drained drained) throws X;
  }

  /**
   * Moves every live count into a new pending drain and returns it: exactly-once as
   * {@link #drain()} is, but still counted by {@link #get} until {@link #acknowledge}, and found
   * pending with the same number and counts after a restart. A key is taken as increment does.
   *
   * @throws TooManyDrainsException if {@code limit} drains are pending already; nothing changes
   * @throws StorageFailedException if the journal could not take it; nothing changed
   */
  public PendingDrain createDrain(int limit, KeyedRequest key) {
    return drains.create(limit, KeyedRequest.key(key));
  }

  /** {@link #createDrain(int, KeyedRequest)} without a key. */
  public PendingDrain createDrain(int limit) {
    return createDrain(limit, null);
  }

  /** Pending drain {@code number} with its counts as they are now, or null if not pending. */
  public PendingDrain pendingDrain(long number) {
    var counts = table.drains().get(number);
    return counts == null ? null : new PendingDrain(number, new Drained(counts));
  }

  /** The numbers of the pending drains, ascending. */
  public long[] pendingDrains() {
    return table.drains().numbers();
  }

  /**
   * Acknowledges pending drain {@code number}: its counts are stored elsewhere, so they are gone
   * here. Returns false when no such drain is pending.
   */
  public boolean acknowledge(long number) {
    return drains.acknowledge(number);
  }

  /** Removes every count, live and pending: the pending drains are gone too. */
  public void reset() {
    drain();
    for (long number : pendingDrains()) {
      acknowledge(number);
    }
  }

  /**
   * Adds drained counts back, for a drain that could not be delivered: no song limit, saturating
   * at the top, forced to disk; if the journal cannot take them they go to an
   * {@code undelivered-drain-*.txt} file in the data directory, named in the log.
   */
  public void restore(Drained drained) {
    drains.putBack(drained);
  }

  /** Writes and forces journaled changes to disk, and waits for it. */
  public void flush() {
    try {
      log.flush();
    } catch (RuntimeException e) {
      throw StoreRefusals.of(e);
    }
  }

  /**
   * Waits for drains still being delivered (so that one which fails can still be put back), then
   * writes and forces every change and closes the journal, if any.
   */
  public void close() {
    if (log.durable()) {
      deliveries.awaitIdle();
    }
    log.close();
  }

  /** Closes as {@link #close()} does but leaves the journal as it is, with no snapshot; tests. */
  void closeKeepingJournal() {
    ((Journal) log).stop(false);
  }
}
