package org.playcounter.store;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One-step drains being delivered: a drain's counts are handed to a {@link Delivery}, and put
 * back when it throws; counts that cannot be put back either (the journal failed) go to a file
 * of their own in the data directory, in the format {@code POST /} takes, so that no play is lost
 * silently. Close waits for deliveries in progress, so that a failing one can still put back.
 */
final class Deliveries {
  private final Consumer<String> log;
  private final Path dataDir;
  private int running;

  Deliveries(Path dataDir, Consumer<String> log) {
    this.dataDir = dataDir;
    this.log = log;
  }

  /** Hands a drain's counts to whoever asked for them; throws if they did not get there. */
  @FunctionalInterface
  interface Drain {
    Drained drain();
  }

  /** Counts that could not be delivered go back; throws what the put-back throws. */
  @FunctionalInterface
  interface PutBack {
    void putBack(Drained drained);
  }

  /** Drains, delivers, and puts back what could not be delivered; counted while running. */
  <X extends Exception> Drained run(Drain drain, PlayCountStore.Delivery<X> delivery,
      PutBack putBack) throws X {
    synchronized (this) {
      running++;
    }
    try {
      Drained drained = drain.drain();
      try {
        delivery.deliver(drained);
      } catch (Exception e) {
        try {
          putBack.putBack(drained);
        } catch (RuntimeException failed) {
          e.addSuppressed(failed);
        }
        throw e;
      }
      return drained;
    } finally {
      synchronized (this) {
        running--;
        notifyAll();
      }
    }
  }

  /** Waits up to two minutes for the deliveries in progress. */
  synchronized void awaitIdle() {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (running > 0 && System.nanoTime() < deadline) {
      try {
        wait(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (running > 0) {
      log.accept("playcounter: closing with " + running + " drains still being delivered; if"
          + " one fails now its counts go to an undelivered-drain file");
    }
  }

  /** Writes counts that neither memory nor the journal could take back to a file of their own. */
  void rescue(Drained drained, StorageFailedException cause) {
    Path file = dataDir.resolve("undelivered-drain-" + System.currentTimeMillis() + ".txt");
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII)) {
      drained.forEach((id, count) -> out.write(id + " " + count + "\n"));
    } catch (IOException e) {
      log.accept("playcounter: LOST a drain of " + drained.size() + " songs: it could not be"
          + " delivered, put back (" + cause.getMessage() + ") or written to " + file + " (" + e
          + ")");
      return;
    }
    log.accept("playcounter: a drain of " + drained.size() + " songs could not be delivered"
        + " or put back (" + cause.getMessage() + "); its counts are in " + file
        + ": POST that file to / once the counter takes changes again");
  }
}
