package org.playcounter.store.journal;

import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The lock between changes and the journal's whole-table steps: a change holds it shared while
 * it is recorded and applied; the journal holds it exclusive to take failed changes back out of
 * memory and to switch files for a compaction, when memory is then exactly what was queued. It
 * times the exclusive holds, for the stall metric.
 */
final class ChangeHold {
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private long heldSince;
  /** The longest time changes were held off, in nanoseconds. */
  private volatile long longest;

  /** The side a change holds. */
  Lock shared() {
    return lock.readLock();
  }

  /** Holds every change off; reentrant. */
  void hold() {
    lock.writeLock().lock();
    if (lock.getWriteHoldCount() == 1) {
      heldSince = System.nanoTime();
    }
  }

  void release() {
    if (lock.getWriteHoldCount() == 1) {
      longest = Math.max(longest, System.nanoTime() - heldSince);
    }
    lock.writeLock().unlock();
  }

  long longestNanos() {
    return longest;
  }
}
