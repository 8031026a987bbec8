package org.playcounter.store.journal;

import java.util.concurrent.locks.Lock;
import org.playcounter.store.keys.Key;

/**
 * Where a store's changes are recorded before they are acknowledged: a {@link Journal} in a data
 * directory, or {@link MemoryLog#INSTANCE}, which records nothing, for a store in memory only.
 * The store goes through this one interface either way.
 *
 * <p>A change is made in three steps: take an {@link #entry}, hold {@link #changes} shared while
 * the table records the change into the entry and applies it (so that a compaction's switch
 * sees either all of it or none), then wait for the entry's {@link Outcome}.
 */
public interface Log extends AutoCloseable {
  /**
   * An entry for one change, forced to disk before it is acknowledged when {@code removal} (or
   * in every change's mode {@code fsync=always}), recorded with {@code key} when it is not null.
   */
  Entry entry(boolean removal, Key key);

  /** The lock a change holds, shared, while it is recorded and applied. */
  Lock changes();

  /** Writes and forces what was recorded so far, and waits for it. */
  void flush();

  /** Why the log takes no changes (failed, or closing), or null while it does. */
  String failure();

  /** True when changes outlive the process. */
  boolean durable();

  /** Bytes in the current journal file; 0 in memory. */
  long bytes();

  /** Compactions finished since start; 0 in memory. */
  long compactions();

  /** fsyncs since start; 0 in memory. */
  long fsyncs();

  /** The longest time every change was held off since start, in nanoseconds; 0 in memory. */
  long longestHoldNanos();

  /** Writes and forces every change recorded, and releases what the log holds. */
  @Override
  void close();
}
