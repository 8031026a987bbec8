package org.playcounter.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Runs one piece of work on many threads released together by a start latch. */
public final class Concurrently {
  private Concurrently() {}

  /** Work for one thread, told its number, 0 to threads - 1. */
  @FunctionalInterface
  public interface Work {
    void run(int thread) throws Exception;
  }

  /**
   * Runs {@code work} on {@code threads} threads that all start at once, and rethrows the first
   * failure; each thread gets at most five minutes.
   */
  public static void run(int threads, Work work) throws Exception {
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(pool.submit(() -> {
          start.await();
          work.run(thread);
          return null;
        }));
      }
      start.countDown();
      for (Future<?> future : futures) {
        future.get(5, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
