package org.playcounter.store.journal;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;

/**
 * Writes queued entries to the {@link JournalFile} by group commit, leader and followers: the
 * first thread to get the file writes everything queued so far with one write per buffer and
 * forces it with one fsync when any entry asks for that, with no hand-over to another thread;
 * the entries queued meanwhile wait for the file and usually find themselves written by then.
 * File I/O runs with the thread's interrupt status cleared and put back after. A write that
 * fails goes to {@link TakeBack}; a failed fsync fails the journal.
 */
final class GroupCommit {
  /** Held by whoever writes or forces the file: a request thread leading a group, or the journal's. */
  private final ReentrantLock io = new ReentrantLock();
  private final ChangeQueue queue;
  private final JournalFile file;
  private final TakeBack takeBack;
  private final LongConsumer fsynced;
  private Compaction compaction;

  GroupCommit(ChangeQueue queue, JournalFile file, TakeBack takeBack, LongConsumer fsynced) {
    this.queue = queue;
    this.file = file;
    this.takeBack = takeBack;
    this.fsynced = fsynced;
  }

  /** The compaction that writing may set off; set once, before any change. */
  void compaction(Compaction due) {
    this.compaction = due;
  }

  /** Writes {@code entry}, with every other entry queued, unless another thread has. */
  void commit(JournalEntry entry) {
    if (entry.isDone()) {
      return;
    }
    boolean interrupted = Thread.interrupted();
    io.lock();
    try {
      if (!entry.isDone()) {
        writePending();
      }
      interrupted |= file.takeInterruptCleared();
    } finally {
      io.unlock();
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Takes the file for a step of the journal's own thread, a compaction or the close. */
  void lock() {
    io.lock();
  }

  void unlock() {
    io.unlock();
  }

  /** With the file held: writes what is queued, then compacts if the journal is due for it. */
  void writePending() {
    List<JournalEntry> batch = queue.take();
    if (!batch.isEmpty()) {
      writeBatch(batch);
    }
    if (queue.failed() == null && compaction.due(file.written())) {
      compaction.compact();
    }
  }

  /** With the file held: writes a batch, forces it if any entry asks for that, answers each. */
  void writeBatch(List<JournalEntry> batch) {
    long start = file.written();
    try {
      file.write(batch, start);
    } catch (IOException | RuntimeException e) {
      takeBack.writeFailed(batch, start, e);
      return;
    }
    boolean force = false;
    for (JournalEntry entry : batch) {
      if (entry.force) {
        force = true;
      } else {
        entry.complete(Outcome.ACKNOWLEDGED);
      }
    }
    if (force) {
      forceOrFail(batch);
    }
  }

  /** With the file held: forces it, if anything is written and not forced. */
  void forceWritten() {
    if (file.written() > file.durable() && queue.failed() == null) {
      forceOrFail(List.of());
    }
  }

  /**
   * With the file held: forces it and answers the batch's entries that waited for it. A failed
   * fsync leaves the batch in the file and in memory, but what reached the disk is unknown (a
   * failed fsync may have dropped the pages), so the journal takes nothing more.
   */
  void forceOrFail(List<JournalEntry> batch) {
    long started = System.nanoTime();
    try {
      file.force();
    } catch (IOException | RuntimeException e) {
      String reason = "fsync of " + file.path() + " failed (" + e + "); the changes written are"
          + " in memory and in the file, but may not be on disk";
      takeBack.fail(reason);
      for (JournalEntry entry : batch) {
        if (!entry.isDone()) {
          entry.complete(Outcome.writtenNotForced(queue.failed()));
        }
      }
      return;
    }
    fsynced.accept(System.nanoTime() - started);
    for (JournalEntry entry : batch) {
      if (!entry.isDone()) {
        entry.complete(Outcome.ACKNOWLEDGED);
      }
    }
  }
}
