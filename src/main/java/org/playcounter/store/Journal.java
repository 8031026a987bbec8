package org.playcounter.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * The append-only record of every change to the counts, in a data directory, so that they
 * survive a restart, a crash or a power loss (format: {@link JournalFormat}, {@link Snapshot}).
 *
 * <p><b>The invariant:</b> the counts in memory are always the counts that recovery would rebuild
 * from the directory, once no change is in flight. A change is recorded by the table under its
 * locks before it is applied ({@link Recorder}), so the journal holds each song's changes in the
 * order memory saw them; one thread of the journal's own writes every change queued so far with
 * one {@code write} (group writing) and forces them with one fsync, so request threads do no file
 * I/O and an interrupt cannot close the file. A change is acknowledged once written
 * ({@code fsync=interval}) or forced ({@code fsync=always}, and every removal or put-back in both
 * modes). When a write fails, the file is cut back to where the batch began and every change not
 * in the file is taken back out of memory, newest first, while changes are held off: the client
 * hears that nothing changed, and the journal goes on (a full disk may free up). When the cut
 * fails too, or an fsync fails, the file cannot be trusted any more: what is in it stays in memory
 * too, the journal stops taking changes, and {@link #failure} says why until a restart.
 */
final class Journal implements AutoCloseable {
  private final Path dir;
  private final SongTable table;
  /** The idempotency keys remembered; snapshots keep them. */
  private final IdempotencyKeys keys;
  private final ChannelOpener opener;
  private final Consumer<String> log;
  private final LongConsumer fsynced;
  private final boolean fsyncAlways;
  private final long intervalNanos;
  private final long maxBytes;
  private final DataDirLock lock;
  /**
   * Changes hold the read side while they are recorded and applied; the writer holds the write
   * side to take failed changes back out of memory and to snapshot, when memory is then exactly
   * what was queued.
   */
  private final ReentrantReadWriteLock changes = new ReentrantReadWriteLock();
  private final ReentrantLock queueLock = new ReentrantLock();
  private final Condition queued = queueLock.newCondition();
  private List<Change> queue = new ArrayList<>();
  private volatile boolean closing;
  private volatile boolean snapshotAtClose = true;
  /** Set to have the journal's thread write what is queued now. */
  private boolean wake;
  /** Held by whoever writes or forces the file: a request thread leading a group, or ours. */
  private final ReentrantLock io = new ReentrantLock();
  /** Set when a reopen found the holder of {@link #io} interrupted, so that it gets it back. */
  private boolean interruptCleared;
  private volatile String failure;
  private final Thread writer;

  // The writer thread's own state; the volatile ones are read by others for metrics.
  private final JournalFormat.Encoder out;
  private FileChannel channel;
  private long generation;
  /** Bytes of the current journal file written, as far as the writer knows. */
  private volatile long written;
  /** Bytes of the current journal file known to be on disk. */
  private volatile long durable;
  /** Bytes of the batch being written that the file accepted. */
  private long accepted;
  private volatile long fsyncs;
  private volatile long compactions;
  /** Size of the current journal that starts a compaction; the writer's and the compactor's. */
  private volatile long compactAt;
  /** Writes the snapshot of a compaction; null before the first. */
  private volatile Thread compactor;
  private long heldSince;
  /** The longest time changes were held off, in nanoseconds. */
  private volatile long longestHold;

  private Journal(Path dir, SongTable table, IdempotencyKeys keys, Settings settings,
      DataDirLock lock) {
    this.keys = keys;
    this.dir = dir;
    this.table = table;
    this.opener = settings.opener();
    this.log = settings.log();
    this.fsynced = settings.fsynced();
    this.fsyncAlways = settings.fsyncAlways();
    this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(settings.fsyncIntervalMs());
    this.maxBytes = settings.maxBytes();
    this.compactAt = maxBytes;
    this.out = new JournalFormat.Encoder(settings.writeBuffer());
    this.lock = lock;
    this.writer = new Thread(this::run, "playcounter-journal " + dir);
    writer.setDaemon(true);
  }

  /**
   * How a journal runs: fsync mode and interval, the size that starts a compaction, the bytes
   * formatted per write, how files are opened, where warnings go, and what hears how long each
   * successful fsync of the journal took, in nanoseconds (on the journal's writing thread, so it
   * must be quick).
   */
  record Settings(boolean fsyncAlways, long fsyncIntervalMs, long maxBytes, int writeBuffer,
      ChannelOpener opener, Consumer<String> log, LongConsumer fsynced) {
    /** The bytes formatted per write in use. */
    static final int WRITE_BUFFER = 1 << 20;

    /** Settings whose fsyncs are not timed. */
    Settings(boolean fsyncAlways, long fsyncIntervalMs, long maxBytes, int writeBuffer,
        ChannelOpener opener, Consumer<String> log) {
      this(fsyncAlways, fsyncIntervalMs, maxBytes, writeBuffer, opener, log, nanos -> { });
    }
  }

  /**
   * Opens the journal in {@code dir}, creating the directory if needed, takes its lock, rebuilds
   * {@code table} from it and starts the writer.
   *
   * @throws IOException naming the directory when it cannot be written or locked, or naming the
   *     file and byte offset of damage anywhere but in the last change of the last journal
   */
  static Journal open(Path dir, SongTable table, IdempotencyKeys keys, Settings settings)
      throws IOException {
    DataDirLock lock = DataDirLock.take(dir);
    Journal journal = new Journal(dir, table, keys, settings, lock);
    try {
      journal.generation = Recovery.run(dir, table, keys, settings.log());
      journal.channel = journal.openJournal(journal.generation, false);
      journal.written = journal.channel.size();
      journal.channel.position(journal.written);
      // What recovery read may be only in the page cache (the last process was killed before its
      // fsync): forced now, so that no change made from here on can outlast what it stands on.
      journal.channel.force(false);
      journal.durable = journal.written;
      syncDirectory(dir);
    } catch (IOException | RuntimeException e) {
      lock.close();
      if (journal.channel != null) {
        journal.channel.close();
      }
      throw e;
    }
    journal.writer.start();
    return journal;
  }

  /** The lock that changes hold shared while they are recorded and applied. */
  ReentrantReadWriteLock changes() {
    return changes;
  }

  /** A change to record, forced before it is acknowledged when {@code removal} or always. */
  Change change(boolean removal) {
    return new Change(this, removal || fsyncAlways);
  }

  /**
   * Queues a change for the writer; called by the table under its locks, before it applies it.
   *
   * @throws StorageFailedException when the journal is failed or closing: nothing is applied
   */
  void enqueue(Change change) {
    queueLock.lock();
    try {
      if (failure != null) {
        throw new StorageFailedException(failure + "; nothing was changed");
      }
      if (closing) {
        throw new StorageFailedException("the data directory is closed: the deployment is"
            + " stopping; nothing was changed");
      }
      queue.add(change);
      change.queued = true;
    } finally {
      queueLock.unlock();
    }
  }

  /** Writes and forces what was queued so far, and waits for it. */
  void flush() {
    Change sync = new Change(this, true);
    enqueue(sync);
    sync.await();
  }

  /** The generation of the current journal file; for tests. */
  long generation() {
    io.lock();
    try {
      return generation;
    } finally {
      io.unlock();
    }
  }

  /** Bytes in the current journal file. */
  long size() {
    return written;
  }

  /** fsyncs done since start. */
  long fsyncs() {
    return fsyncs;
  }

  /** Compactions finished since start. */
  long compactions() {
    return compactions;
  }

  /** The longest time the journal held every change off since start, in nanoseconds. */
  long longestHoldNanos() {
    return longestHold;
  }

  /** Why the journal does not take changes (failed, or closing), or null while it does. */
  String failure() {
    String failed = failure;
    return failed != null || !closing ? failed : "the data directory is closed: the deployment"
        + " is stopping";
  }

  /**
   * Writes {@code change}, with every other change queued, unless another thread has: group
   * writing by leader and followers. The first request thread to get the file writes and forces
   * everything queued so far itself, with no hand-over to another thread; the requests that queue
   * meanwhile wait for the file and usually find their change written by then. File I/O is done
   * with the thread's interrupt status cleared and put back after, and a channel closed by an
   * interrupt anyway is reopened and the write done again, so an interrupt never fails the journal.
   */
  void commit(Change change) {
    if (change.isDone()) {
      return;
    }
    boolean interrupted = Thread.interrupted();
    io.lock();
    try {
      interruptCleared = false;
      if (!change.isDone()) {
        writePending();
      }
      interrupted |= interruptCleared;
    } finally {
      io.unlock();
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** With the file held: writes what is queued, then compacts if the journal is due for it. */
  private void writePending() {
    List<Change> batch = takeQueue();
    if (!batch.isEmpty()) {
      writeBatch(batch);
    }
    if (failure == null && written >= compactAt) {
      compact();
    }
  }

  /**
   * The journal's own thread: forces the file every {@code fsync-interval-ms} while plays are
   * written and not yet forced, writes changes no request thread is waiting to write (a request
   * answered asynchronously), and on close writes and forces the rest and closes the file.
   */
  private void run() {
    long nextSync = System.nanoTime() + intervalNanos;
    while (true) {
      queueLock.lock();
      try {
        while (!closing && !wake) {
          long wait = nextSync - System.nanoTime();
          if (wait <= 0) {
            break;
          }
          try {
            queued.awaitNanos(wait);
          } catch (InterruptedException e) {
            // nobody is meant to interrupt the journal's thread; it carries on until closed
          }
        }
        wake = false;
      } finally {
        queueLock.unlock();
      }
      io.lock();
      try {
        Thread.interrupted();
        writePending();
        if (System.nanoTime() - nextSync >= 0) {
          nextSync = System.nanoTime() + intervalNanos;
          if (written > durable && failure == null) {
            forceOrFail(List.of());
          }
        }
        if (closing && queueEmpty()) {
          break;
        }
      } finally {
        io.unlock();
      }
    }
    finish(snapshotAtClose);
  }

  /**
   * The journal's last steps: a snapshot of everything, when the journal holds changes since the
   * last one (so that the next start reads one file in the table's own order rather than
   * replaying every change), then the empty journal forced and closed.
   */
  private void finish(boolean snapshot) {
    awaitCompaction();
    io.lock();
    try {
      if (snapshot && failure == null && written > 0) {
        compact();
      }
    } finally {
      io.unlock();
    }
    awaitCompaction();
    io.lock();
    try {
      if (failure == null) {
        channel.force(false);
      }
      channel.close();
    } catch (IOException e) {
      log.accept("playcounter: closing the journal in " + dir + " failed: " + e);
    } finally {
      io.unlock();
    }
  }

  private boolean queueEmpty() {
    queueLock.lock();
    try {
      return queue.isEmpty();
    } finally {
      queueLock.unlock();
    }
  }

  /** Has the journal's thread write what is queued, for changes nobody waits to write. */
  void wakeWriter() {
    queueLock.lock();
    try {
      wake = true;
      queued.signal();
    } finally {
      queueLock.unlock();
    }
  }

  /**
   * Writes a batch with one write per MiB, then forces it if any change in it asks for that, and
   * answers each change.
   */
  private void writeBatch(List<Change> batch) {
    long start = written;
    try {
      try {
        encode(batch, start);
      } catch (ClosedChannelException e) {
        reopen(start); // closed under the writer (an interrupt): once more on a new channel
        encode(batch, start);
      }
    } catch (IOException | RuntimeException e) {
      writeFailed(batch, start, e);
      return;
    }
    written = start + accepted;
    boolean force = false;
    for (Change change : batch) {
      if (change.force) {
        force = true;
      } else {
        change.recorded(true);
      }
    }
    if (force) {
      forceOrFail(batch);
    }
  }

  private void encode(List<Change> batch, long start) throws IOException {
    accepted = 0;
    out.clear();
    for (Change change : batch) {
      change.encode(out, this::writeOut);
      change.end = start + accepted + out.length();
    }
    writeOut();
  }

  private void writeOut() throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(out.bytes(), 0, out.length());
    while (buffer.hasRemaining()) {
      accepted += channel.write(buffer);
    }
    out.clear();
  }

  /** Forces the file and answers the batch's changes that waited for it. */
  private void forceOrFail(List<Change> batch) {
    long target = written;
    long started = System.nanoTime();
    try {
      try {
        channel.force(false);
      } catch (ClosedChannelException e) {
        reopen(target);
        channel.force(false);
      }
    } catch (IOException | RuntimeException e) {
      // The file holds the batch and memory does too; but what reaches the disk is unknown now
      // (a failed fsync may have dropped the pages), so the journal takes nothing more.
      fail("fsync of " + Recovery.journalFile(dir, generation) + " failed (" + e + "); the"
          + " changes written are in memory and in the file, but may not be on disk");
      for (Change change : batch) {
        if (!change.isDone()) {
          change.recorded(false);
        }
      }
      return;
    }
    fsyncs++;
    fsynced.accept(System.nanoTime() - started);
    durable = Math.max(durable, target);
    for (Change change : batch) {
      if (!change.isDone()) {
        change.recorded(true);
      }
    }
  }

  /**
   * A write failed part way: cut the file back to the batch's start and take every change not in
   * the file back out of memory. If the cut fails too, the changes wholly written stay (in file
   * and memory) and the journal takes nothing more.
   */
  private void writeFailed(List<Change> batch, long start, Exception error) {
    boolean cut;
    try {
      channel.truncate(start);
      channel.position(start);
      cut = true;
    } catch (IOException | RuntimeException e) {
      cut = false;
    }
    Path file = Recovery.journalFile(dir, generation);
    long inFile = start;
    if (!cut) {
      try {
        inFile = Files.size(file); // what the file really holds, the failed call's bytes too
      } catch (IOException e) {
        inFile = start + accepted;
      }
    }
    written = inFile;
    if (!cut) {
      fail("writing " + file + " failed (" + error + ") and so did cutting the file back; the"
          + " changes wholly written are kept");
    }
    List<Change> refused = new ArrayList<>();
    holdChanges();
    try {
      for (Change change : batch) {
        if (change.end > inFile) {
          refused.add(change);
        }
      }
      queueLock.lock();
      try {
        refused.addAll(queue); // applied in memory after the failed ones, so taken back too
        queue = new ArrayList<>();
      } finally {
        queueLock.unlock();
      }
      for (int i = refused.size() - 1; i >= 0; i--) {
        refused.get(i).revert(table);
      }
    } finally {
      releaseChanges();
    }
    StorageFailedException refusal = new StorageFailedException("storage failed: writing "
        + file + " failed (" + error + "); nothing was changed");
    for (Change change : refused) {
      change.refused(refusal);
    }
    for (Change change : batch) {
      if (!change.isDone()) {
        change.recorded(!change.force); // wholly written before the failure
      }
    }
    if (cut) {
      log.accept("playcounter: " + refusal.getMessage() + " for " + refused.size()
          + " changes; the journal was cut back to byte " + start + " and goes on");
    }
  }

  /**
   * Starts a new journal generation and has a snapshot of the counts as they were at the switch
   * written in the background. Changes are held off only for the switch itself (writing what is
   * queued, opening the new file, cutting the table: {@link SongTable#cut}), never while the
   * snapshot is written. A compaction that fails costs nothing but disk space: the old snapshot
   * and journals still add up, and it is tried again after another {@code maxBytes}.
   */
  private void compact() {
    if (compactor != null && compactor.isAlive()) {
      return; // the last snapshot is still being written
    }
    long covered;
    int epoch;
    long live;
    PendingDrain.State drains;
    IdempotencyKeys.Copy keysAtCut;
    FileChannel old;
    if (written > durable) {
      forceOrFail(List.of()); // most of what the switch must force, before changes are held off
    }
    holdChanges();
    try {
      List<Change> rest = takeQueue();
      if (!rest.isEmpty()) {
        writeBatch(rest);
      }
      if (failure == null && written > durable) {
        // Journal g is forced whole before g + 1 exists: a change forced into g + 1 then never
        // follows a tail of g that a power loss could tear, which recovery would have to refuse.
        forceOrFail(List.of());
      }
      if (failure != null) {
        return;
      }
      covered = generation;
      FileChannel next = null;
      try {
        next = openJournal(covered + 1, true);
        syncDirectory(dir); // and g + 1's name is on disk before anything in it is forced
      } catch (IOException | RuntimeException e) {
        closeQuietly(next);
        try {
          Files.deleteIfExists(Recovery.journalFile(dir, covered + 1)); // recovery skips it too
        } catch (IOException | RuntimeException ignored) {
          // an empty journal after the one in use is harmless: recovery reads past it
        }
        compactAt = written + maxBytes;
        log.accept("playcounter: compaction in " + dir + " could not start a new journal (" + e
            + "); it is tried again after " + maxBytes + " more bytes");
        return;
      }
      old = channel;
      channel = next;
      generation = covered + 1;
      written = 0;
      durable = 0;
      epoch = table.cut();
      live = table.songs();
      drains = table.pendingState();
      keysAtCut = keys.copy();
    } finally {
      releaseChanges();
    }
    compactAt = Long.MAX_VALUE; // until the snapshot is done
    compactor = new Thread(() -> writeSnapshot(old, covered, epoch, live, drains, keysAtCut),
        "playcounter-snapshot " + dir);
    compactor.setDaemon(true);
    compactor.start();
  }

  /**
   * The compactor's work: closes the old journal {@code covered} (forced at the switch), then
   * writes the snapshot of cut {@code epoch}, which covers it.
   */
  private void writeSnapshot(FileChannel old, long covered, int epoch, long live,
      PendingDrain.State drains, IdempotencyKeys.Copy keysAtCut) {
    closeQuietly(old); // forced whole at the switch, and the directory with it
    try {
      Snapshot.write(dir, covered, table, epoch, live, drains, keysAtCut, opener);
      syncDirectory(dir);
      for (long g : Recovery.generations(dir)) {
        if (g <= covered) {
          Files.deleteIfExists(Recovery.journalFile(dir, g));
        }
      }
      compactions++;
      compactAt = maxBytes;
    } catch (IOException | RuntimeException e) {
      compactAt = written + maxBytes;
      log.accept("playcounter: compaction in " + dir + " failed (" + e + "); the journals"
          + " are kept and it is tried again after " + maxBytes + " more bytes");
    } finally {
      table.endCut(epoch);
      wakeWriter(); // to check again whether a compaction is due
    }
  }

  /** Waits until no snapshot is being written; for tests. */
  void awaitCompaction() {
    Thread running = compactor;
    boolean interrupted = false;
    while (running != null && running.isAlive()) {
      try {
        running.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Holds every change off, timing how long for the stall metric. */
  private void holdChanges() {
    changes.writeLock().lock();
    if (changes.getWriteHoldCount() == 1) {
      heldSince = System.nanoTime();
    }
  }

  private void releaseChanges() {
    if (changes.getWriteHoldCount() == 1) {
      longestHold = Math.max(longestHold, System.nanoTime() - heldSince);
    }
    changes.writeLock().unlock();
  }

  private List<Change> takeQueue() {
    queueLock.lock();
    try {
      List<Change> taken = queue;
      queue = new ArrayList<>();
      return taken;
    } finally {
      queueLock.unlock();
    }
  }

  private FileChannel openJournal(long g, boolean fresh) throws IOException {
    return fresh
        ? opener.open(Recovery.journalFile(dir, g), StandardOpenOption.CREATE,
            StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)
        : opener.open(Recovery.journalFile(dir, g), StandardOpenOption.CREATE,
            StandardOpenOption.WRITE);
  }

  /** Opens the journal again after its channel was closed under it, cut back to {@code at}. */
  private void reopen(long at) throws IOException {
    interruptCleared |= Thread.interrupted();
    channel = openJournal(generation, false);
    channel.truncate(at);
    channel.position(at);
  }

  private void fail(String reason) {
    queueLock.lock();
    try {
      if (failure == null) {
        failure = "storage failed: " + reason;
        log.accept("playcounter: " + failure + "; changes are refused until a restart");
      }
    } finally {
      queueLock.unlock();
    }
    holdChanges();
    try {
      List<Change> rest = takeQueue();
      for (int i = rest.size() - 1; i >= 0; i--) {
        rest.get(i).revert(table);
      }
      StorageFailedException refusal = new StorageFailedException(failure
          + "; nothing was changed");
      for (Change change : rest) {
        change.refused(refusal);
      }
    } finally {
      releaseChanges();
    }
  }

  /**
   * Writes and forces every change queued, writes a snapshot, stops the writer and releases the
   * directory.
   */
  @Override
  public void close() {
    stop(true);
  }

  /** Closes as {@link #close()} does, with a snapshot at the end only when asked; for tests. */
  void stop(boolean snapshot) {
    queueLock.lock();
    try {
      closing = true;
      snapshotAtClose = snapshot;
      queued.signal();
    } finally {
      queueLock.unlock();
    }
    boolean interrupted = false;
    while (writer.isAlive()) {
      try {
        writer.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    awaitCompaction();
    lock.close();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Closes a journal that is forced whole, or was never written: nothing in it can be lost. */
  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // what it holds is on disk already
      }
    }
  }

  static void syncDirectory(Path dir) throws IOException {
    try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
      directory.force(true);
    } catch (IOException e) {
      if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("win")) {
        throw e;
      }
    }
  }
}
