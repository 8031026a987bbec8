package org.playcounter.store.journal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The changes recorded and not yet written, in the order the table recorded them, with the two
 * states that make the journal refuse new ones: failed (set once, kept until a restart, like
 * Kafka's {@code LogDirFailureChannel}) and closing. Also where the journal's own thread sleeps
 * until it has work. Thread-safe; every method is short and holds one lock.
 */
final class ChangeQueue {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition queued = lock.newCondition();
  private final Consumer<String> log;
  private List<JournalEntry> entries = new ArrayList<>();
  private volatile String failure;
  private volatile boolean closing;
  private volatile boolean snapshotAtClose = true;
  /** Set to have the journal's thread write what is queued now. */
  private boolean wake;

  ChangeQueue(Consumer<String> log) {
    this.log = log;
  }

  /**
   * Queues an entry; called by the table under its locks, before it applies the change.
   *
   * @throws LogRefusal when the journal is failed or closing: nothing is applied
   */
  void enqueue(JournalEntry entry) {
    lock.lock();
    try {
      if (failure != null) {
        throw new LogRefusal(failure + "; nothing was changed");
      }
      if (closing) {
        throw new LogRefusal("the data directory is closed: the deployment is stopping;"
            + " nothing was changed");
      }
      entries.add(entry);
    } finally {
      lock.unlock();
    }
  }

  /** Takes every entry queued so far, oldest first. */
  List<JournalEntry> take() {
    lock.lock();
    try {
      List<JournalEntry> taken = entries;
      entries = new ArrayList<>();
      return taken;
    } finally {
      lock.unlock();
    }
  }

  boolean isEmpty() {
    lock.lock();
    try {
      return entries.isEmpty();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Marks the journal failed for {@code reason}, once: the first reason stays, is logged, and is
   * what every later change is refused with.
   */
  void fail(String reason) {
    lock.lock();
    try {
      if (failure == null) {
        failure = "storage failed: " + reason;
        log.accept("playcounter: " + failure + "; changes are refused until a restart");
      }
    } finally {
      lock.unlock();
    }
  }

  /** Why the journal failed, or null. */
  String failed() {
    return failure;
  }

  /** Why the journal takes no changes (failed, or closing), or null while it does. */
  String failure() {
    String failed = failure;
    return failed != null || !closing ? failed : "the data directory is closed: the deployment"
        + " is stopping";
  }

  /** Refuses changes from now on and wakes the journal's thread to finish. */
  void close(boolean snapshot) {
    lock.lock();
    try {
      closing = true;
      snapshotAtClose = snapshot;
      queued.signal();
    } finally {
      lock.unlock();
    }
  }

  boolean closing() {
    return closing;
  }

  boolean snapshotAtClose() {
    return snapshotAtClose;
  }

  /** Has the journal's thread write what is queued, for changes nobody waits to write. */
  void wakeWriter() {
    lock.lock();
    try {
      wake = true;
      queued.signal();
    } finally {
      lock.unlock();
    }
  }

  /** The journal's thread: sleeps until woken, closing, or {@code deadline} (nanoTime). */
  void awaitWork(long deadline) {
    lock.lock();
    try {
      while (!closing && !wake) {
        long wait = deadline - System.nanoTime();
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
      lock.unlock();
    }
  }
}
