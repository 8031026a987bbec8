package org.playcounter.store.journal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.function.Consumer;
import org.playcounter.store.keys.Key;
import org.playcounter.store.table.Change;

/**
 * The log of a store in memory only: records nothing, acknowledges every change at once, and
 * holds no lock. Stateless, so one instance serves every store.
 */
public final class MemoryLog implements Log {
  public static final MemoryLog INSTANCE = new MemoryLog();

  private static final Entry ACKNOWLEDGED = new Entry() {
    @Override
    public void record(Change change) {}

    @Override
    public boolean records() {
      return false;
    }

    @Override
    public Outcome await() {
      return Outcome.ACKNOWLEDGED;
    }

    @Override
    public void whenDone(Consumer<Outcome> then) {
      then.accept(Outcome.ACKNOWLEDGED);
    }
  };

  /** A lock that every thread holds at once: nothing in memory waits for a switch. */
  private static final Lock NO_LOCK = new Lock() {
    @Override
    public void lock() {}

    @Override
    public void lockInterruptibly() {}

    @Override
    public boolean tryLock() {
      return true;
    }

    @Override
    public boolean tryLock(long time, TimeUnit unit) {
      return true;
    }

    @Override
    public void unlock() {}

    @Override
    public Condition newCondition() {
      throw new UnsupportedOperationException("no conditions on the memory log's lock");
    }
  };

  private MemoryLog() {}

  @Override
  public Entry entry(boolean removal, Key key) {
    return ACKNOWLEDGED;
  }

  @Override
  public Lock changes() {
    return NO_LOCK;
  }

  @Override
  public void flush() {}

  @Override
  public String failure() {
    return null;
  }

  @Override
  public boolean durable() {
    return false;
  }

  @Override
  public long bytes() {
    return 0;
  }

  @Override
  public long compactions() {
    return 0;
  }

  @Override
  public long fsyncs() {
    return 0;
  }

  @Override
  public long longestHoldNanos() {
    return 0;
  }

  @Override
  public void close() {}
}
