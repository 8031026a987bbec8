package org.playcounter.store.table;

import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One stripe of a {@link SongTable}: its lock, its live table and its part of every pending
 * drain. A pending part is never changed in place (a song removed from it makes a copy), and the
 * array of parts is replaced, never written, so a reader that took them under the lock may read
 * them after letting go.
 */
final class Stripe extends ReentrantLock {
  private static final long serialVersionUID = 1L;
  private static final long[] NO_NUMBERS = {};
  private static final CountTable[] NO_TABLES = {};

  transient CountTable table = new CountTable();
  /** The counts as of the latest cut, kept for its snapshot; null when the table has them. */
  transient CountTable frozen;
  int copiedEpoch;
  /** The numbers of the pending drains this stripe has songs of, ascending. */
  private long[] pendingNumbers = NO_NUMBERS;
  /** Their songs of this stripe, one table per number. */
  private transient CountTable[] pendingTables = NO_TABLES;

  /** The song's plays in every pending drain. */
  long pendingSum(String id, int hash) {
    long sum = 0;
    for (CountTable part : pendingTables) {
      sum += part.get(id, hash);
    }
    return sum;
  }

  boolean hasPending() {
    return pendingTables.length > 0;
  }

  /** The part of pending drain {@code number}, or null. */
  CountTable pending(long number) {
    int i = indexOf(number);
    return i < 0 ? null : pendingTables[i];
  }

  /** Sets (or, with null, drops) the part of pending drain {@code number}. */
  void setPending(long number, CountTable part) {
    int i = indexOf(number);
    if (part == null) {
      if (i >= 0) {
        long[] numbers = new long[pendingNumbers.length - 1];
        CountTable[] tables = new CountTable[numbers.length];
        System.arraycopy(pendingNumbers, 0, numbers, 0, i);
        System.arraycopy(pendingNumbers, i + 1, numbers, i, numbers.length - i);
        System.arraycopy(pendingTables, 0, tables, 0, i);
        System.arraycopy(pendingTables, i + 1, tables, i, numbers.length - i);
        pendingNumbers = numbers;
        pendingTables = tables;
      }
    } else if (i >= 0) {
      CountTable[] tables = pendingTables.clone();
      tables[i] = part;
      pendingTables = tables;
    } else {
      int at = -i - 1;
      long[] numbers = new long[pendingNumbers.length + 1];
      CountTable[] tables = new CountTable[numbers.length];
      System.arraycopy(pendingNumbers, 0, numbers, 0, at);
      System.arraycopy(pendingNumbers, at, numbers, at + 1, pendingNumbers.length - at);
      System.arraycopy(pendingTables, 0, tables, 0, at);
      System.arraycopy(pendingTables, at, tables, at + 1, pendingTables.length - at);
      numbers[at] = number;
      tables[at] = part;
      pendingNumbers = numbers;
      pendingTables = tables;
    }
  }

  /** The numbers of the pending parts; never written, so safe to keep. */
  long[] pendingNumbers() {
    return pendingNumbers;
  }

  /** The pending parts, in the order of {@link #pendingNumbers}; never written. */
  CountTable[] pendingTables() {
    return pendingTables;
  }

  private int indexOf(long number) {
    return Arrays.binarySearch(pendingNumbers, number);
  }
}
