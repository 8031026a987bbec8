package org.playcounter.server;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;

/**
 * Logs rejected requests at most once a minute per kind, with how many there were since the
 * last line, so that a flood of bad requests cannot fill the disk. The first of each kind is
 * logged at once. Thread-safe; a count that arrives while a line is written goes into the next.
 */
final class RejectionLog {
  private static final long INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final Consumer<String> log;
  private final AtomicLongArray pending = new AtomicLongArray(Rejection.values().length);
  /** When each kind was last logged, in {@link System#nanoTime}; 0 for never. */
  private final AtomicLongArray lastLogged = new AtomicLongArray(Rejection.values().length);

  RejectionLog(Consumer<String> log) {
    this.log = log;
  }

  /** Records one rejection; {@code reason} is the one-line answer the client got. */
  void record(Rejection rejection, String reason) {
    record(rejection, rejection.status(), reason);
  }

  /** {@link #record(Rejection, String)} answered with {@code status}, for the container's. */
  void record(Rejection rejection, int status, String reason) {
    int kind = rejection.ordinal();
    pending.incrementAndGet(kind);
    long last = lastLogged.get(kind);
    long now = System.nanoTime() | 1; // never 0, which means "never logged"
    if ((last == 0 || now - last >= INTERVAL_NANOS) && lastLogged.compareAndSet(kind, last, now)) {
      long count = pending.getAndSet(kind, 0);
      log.accept("playcounter rejected " + count + " request" + (count == 1 ? "" : "s") + " as "
          + rejection.label() + " (" + status + ") since the last report; latest: "
          + reason);
    }
  }
}
