package org.playcounter.store.table;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.playcounter.store.table.TableReplay.Problem;

/**
 * Recovery's changes held back and applied stripe by stripe, so that a replay touches one
 * stripe's table (about a megabyte at 10M songs) at a time instead of one random cache line of
 * the whole table per change, on other threads than the one that decodes the file.
 *
 * <p>Implementation notes: two {@link ReplaySet}s take turns: the decoding thread fills one
 * while worker threads apply the other. Each change is kept as its hash, its id's bytes (copied,
 * so the caller may reuse its buffer), its delta, its pending drain (0 for the live count) and its
 * offset in the file. A set is sorted by stripe with a counting sort that keeps the order within
 * a stripe, which is all the order a replay needs: a song's changes only ever meet its own count,
 * in the order recorded, and the sets are applied in turn. The stripes are split into ranges of
 * about as many changes, one per worker. A change that would take a total below zero or past
 * {@link Long#MAX_VALUE} is reported as a {@link Problem} (the one with the lowest offset) rather
 * than thrown from a worker; the table is then left half applied, which is fine because recovery
 * gives up on it.
 */
final class ReplayBatch {
  /** Changes held in a set before it is handed to the workers. */
  static final int CAPACITY = 1 << 17;

  private final Stripe[] stripes;
  /** Threads that apply a set at once. */
  private final int parts;
  private ReplaySet filling = new ReplaySet();
  private ReplaySet spare = new ReplaySet();
  /** The set being applied, its parts' results; null when none is. */
  private FutureTask<Problem>[] applying;
  private Problem problem;
  private ThreadPoolExecutor workers;

  /** A batch whose sets are applied by {@code parts} threads at once (other than the caller). */
  ReplayBatch(Stripe[] stripes, int parts) {
    if (parts < 1) {
      throw new IllegalArgumentException("parts < 1: " + parts);
    }
    this.stripes = stripes;
    this.parts = parts;
  }

  /** True when the set being filled should be handed over before more is added. */
  boolean full() {
    return filling.size >= CAPACITY;
  }

  /** True when nothing is held back or being applied. */
  boolean isEmpty() {
    return filling.size == 0 && applying == null;
  }

  /** Holds back a change of the id {@code b[from, from + length)}, whose hash is given. */
  void add(byte[] b, int from, int length, int hash, long delta, long drain, long offset) {
    filling.add(b, from, length, hash, delta, drain, offset);
  }

  /**
   * Hands what is held back to the workers and returns while they apply it, once the set before
   * it is applied: the problem of the change with the lowest offset so far, or null.
   */
  Problem handOver() {
    awaitApplying();
    if (filling.size > 0) {
      ReplaySet set = filling;
      filling = spare;
      spare = set;
      set.sortByStripe();
      int[] bounds = set.split(parts);
      @SuppressWarnings("unchecked")
      FutureTask<Problem>[] tasks = new FutureTask[parts];
      for (int p = 0; p < parts; p++) {
        int from = bounds[p];
        int to = bounds[p + 1];
        tasks[p] = new FutureTask<>(() -> set.apply(stripes, from, to));
        workers().execute(tasks[p]);
      }
      applying = tasks;
    }
    return problem;
  }

  /** Applies everything held back and waits until it is; the problem so far, or null. */
  Problem apply() {
    handOver();
    awaitApplying();
    return problem;
  }

  /** Lets the worker threads go; a later hand-over makes them again. */
  void close() {
    FutureTask<Problem>[] tasks = applying;
    applying = null;
    if (tasks != null) { // a replay given up: its last set is still being applied
      for (FutureTask<Problem> task : tasks) {
        try {
          join(task);
        } catch (RuntimeException e) {
          // the replay failed already; its table is dropped
        }
      }
    }
    if (workers != null) {
      workers.shutdown();
      workers = null;
    }
  }

  private void awaitApplying() {
    if (applying == null) {
      return;
    }
    FutureTask<Problem>[] tasks = applying;
    applying = null;
    for (FutureTask<Problem> task : tasks) {
      problem = first(problem, join(task));
    }
    spare.clear();
  }

  /**
   * The threads that apply: kept from one set to the next, since a thread made per set costs its
   * allocation buffer too (megabytes of young heap each, left behind when it ends); daemons that
   * end on their own a second after the last set.
   */
  private ThreadPoolExecutor workers() {
    if (workers == null) {
      AtomicInteger made = new AtomicInteger();
      workers = new ThreadPoolExecutor(parts, parts, 1, TimeUnit.SECONDS,
          new LinkedBlockingQueue<>(), task -> {
            Thread thread = new Thread(task, "playcounter-replay-" + made.incrementAndGet());
            thread.setDaemon(true);
            return thread;
          });
      workers.allowCoreThreadTimeOut(true);
    }
    return workers;
  }

  static Problem first(Problem a, Problem b) {
    return a == null ? b : b == null || a.offset() <= b.offset() ? a : b;
  }

  private static Problem join(FutureTask<Problem> task) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return task.get();
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof RuntimeException) {
            throw (RuntimeException) cause;
          }
          if (cause instanceof Error) {
            throw (Error) cause;
          }
          throw new IllegalStateException(cause);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
