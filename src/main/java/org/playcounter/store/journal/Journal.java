package org.playcounter.store.journal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.function.Consumer;
import org.playcounter.store.format.DataDirLock;
import org.playcounter.store.format.DataDirectory;
import org.playcounter.store.keys.Key;
import org.playcounter.store.keys.KeyTable;
import org.playcounter.store.table.SongTable;

/**
 * The append-only record of every change to the counts, in a data directory, so that they
 * survive a restart, a crash or a power loss: the {@link Log} of a durable store.
 *
 * <p><b>The invariant:</b> the counts in memory are always the counts that recovery would rebuild
 * from the directory, once no change is in flight. A change is recorded by the table under its
 * locks before it is applied, so the journal holds each song's changes in the order memory saw
 * them ({@link ChangeQueue}); they reach the file by {@link GroupCommit}, so request threads
 * rarely wait for one another and an interrupt cannot close the file. A change is acknowledged
 * once written ({@code fsync=interval}) or forced ({@code fsync=always}, and every removal in
 * both modes). What does not reach the file is taken back out of memory ({@link TakeBack});
 * the file is kept short by {@link Compaction}. The journal's own thread, started here, forces
 * the file every {@code fsync-interval-ms} while something is written and not forced, and
 * writes changes nobody waits to write (requests answered asynchronously).
 */
public final class Journal implements Log {
  private final Path dir;
  private final Consumer<String> log;
  private final boolean fsyncAlways;
  private final long intervalNanos;
  private final KeyTable keys;
  private final DataDirLock lock;
  private final ChangeQueue queue;
  private final ChangeHold hold = new ChangeHold();
  private final JournalFile file;
  private final GroupCommit commit;
  private final Compaction compaction;
  private final Thread writer;

  private Journal(Path dir, SongTable table, KeyTable keys, JournalSettings settings,
      DataDirLock lock) {
    this.dir = dir;
    this.log = settings.log();
    this.fsyncAlways = settings.fsyncAlways();
    this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(settings.fsyncIntervalMs());
    this.keys = keys;
    this.lock = lock;
    this.queue = new ChangeQueue(log);
    this.file = new JournalFile(dir, settings.opener(), settings.writeBuffer());
    TakeBack takeBack = new TakeBack(table, queue, hold, file, log);
    this.commit = new GroupCommit(queue, file, takeBack, settings.fsynced());
    this.compaction = new Compaction(dir, table, keys, file, commit, queue, hold, settings);
    commit.compaction(compaction);
    this.writer = new Thread(this::run, "playcounter-journal " + dir);
    writer.setDaemon(true);
  }

  /**
   * Opens the journal in {@code dir}, creating the directory if needed, takes its lock, rebuilds
   * {@code table} and {@code keys} from it ({@link Recovery}) and starts the journal's thread.
   *
   * @throws IOException naming the directory when it cannot be written or locked, or naming the
   *     file and byte offset of damage anywhere but in the last change of the last journal
   */
  public static Journal open(Path dir, SongTable table, KeyTable keys, JournalSettings settings)
      throws IOException {
    DataDirLock lock = DataDirLock.take(dir);
    Journal journal = new Journal(dir, table, keys, settings, lock);
    try {
      journal.file.open(Recovery.run(dir, table, keys, settings.log()));
      DataDirectory.sync(dir);
    } catch (IOException | RuntimeException e) {
      lock.close();
      try {
        journal.file.close(false);
      } catch (IOException | RuntimeException ignored) {
        // never opened, or nothing written to it
      }
      throw e;
    }
    journal.writer.start();
    return journal;
  }

  @Override
  public Entry entry(boolean removal, Key key) {
    return new JournalEntry(queue, commit, removal || fsyncAlways, key, keys);
  }

  @Override
  public Lock changes() {
    return hold.shared();
  }

  @Override
  public void flush() {
    JournalEntry sync = new JournalEntry(queue, commit, true, null, keys);
    sync.queueFlush();
    sync.await();
  }

  @Override
  public String failure() {
    return queue.failure();
  }

  @Override
  public boolean durable() {
    return true;
  }

  @Override
  public long bytes() {
    return file.written();
  }

  @Override
  public long compactions() {
    return compaction.compactions();
  }

  @Override
  public long fsyncs() {
    return file.fsyncs();
  }

  @Override
  public long longestHoldNanos() {
    return hold.longestNanos();
  }

  /** The generation of the current journal file; for tests. */
  public long generation() {
    commit.lock();
    try {
      return file.generation();
    } finally {
      commit.unlock();
    }
  }

  /** Waits until no snapshot is being written; for tests. */
  public void awaitCompaction() {
    compaction.await();
  }

  private void run() {
    long nextSync = System.nanoTime() + intervalNanos;
    while (true) {
      queue.awaitWork(nextSync);
      commit.lock();
      try {
        Thread.interrupted();
        commit.writePending();
        if (System.nanoTime() - nextSync >= 0) {
          nextSync = System.nanoTime() + intervalNanos;
          commit.forceWritten();
        }
        if (queue.closing() && queue.isEmpty()) {
          break;
        }
      } finally {
        commit.unlock();
      }
    }
    finish(queue.snapshotAtClose());
  }

  /**
   * The journal's last steps: a snapshot of everything when the journal holds changes since the
   * last one (so that the next start reads one file in the table's order rather than replaying
   * every change), then the empty journal forced and closed.
   */
  private void finish(boolean snapshot) {
    compaction.await();
    commit.lock();
    try {
      if (snapshot && queue.failed() == null && file.holdsChanges()) {
        compaction.compact();
      }
    } finally {
      commit.unlock();
    }
    compaction.await();
    commit.lock();
    try {
      file.close(queue.failed() == null);
    } catch (IOException e) {
      log.accept("playcounter: closing the journal in " + dir + " failed: " + e);
    } finally {
      commit.unlock();
    }
  }

  /**
   * Writes and forces every change queued, writes a snapshot, stops the journal's thread and
   * releases the directory.
   */
  @Override
  public void close() {
    stop(true);
  }

  /** Closes as {@link #close()} does, with a snapshot at the end only when asked; for tests. */
  public void stop(boolean snapshot) {
    queue.close(snapshot);
    boolean interrupted = false;
    while (writer.isAlive()) {
      try {
        writer.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    compaction.await();
    lock.close();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
