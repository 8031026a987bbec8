package org.playcounter.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ceiling of any batching of blocking calls, with no I/O at all: {@code THREADS} threads
 * each wait on a future of their own, and one thread completes every waiting future in a batch
 * and starts over, the way a batch's answer wakes the callers in it. Each call costs one park and
 * one unpark of a platform thread, which is what bounds batched {@code increment()}s from many
 * threads on one core; {@code incrementAsync()} wakes nobody a play.
 *
 * <p>{@code java WakeUps.java [THREADS, default 64] [SECONDS, default 8]}; run it on one core
 * ({@code taskset -c 0}) to compare with {@code client.sh}. Its loops end at their deadline.
 */
public final class WakeUps {
  public static void main(String[] args) throws Exception {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 64;
    long seconds = args.length > 1 ? Long.parseLong(args[1]) : 8;
    for (int round = 0; round < 2; round++) { // the first round warms up
      double rate = run(threads, TimeUnit.SECONDS.toNanos(round == 0 ? 3 : seconds));
      System.out.printf("%-9s %-56s %,12.0f calls/s%n", round == 0 ? "warm-up" : "measured",
          "wake-ups alone: " + threads + " threads on futures, one completer", rate);
    }
  }

  private static double run(int threads, long nanos) throws Exception {
    LinkedBlockingQueue<CompletableFuture<Long>> waiting = new LinkedBlockingQueue<>();
    AtomicLong calls = new AtomicLong();
    long end = System.nanoTime() + nanos;
    List<Thread> callers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread caller = new Thread(() -> {
        long n = 0;
        while (System.nanoTime() < end) {
          CompletableFuture<Long> answer = new CompletableFuture<>();
          waiting.add(answer);
          n += answer.join() > 0 ? 1 : 0;
        }
        calls.addAndGet(n);
      });
      callers.add(caller);
      caller.start();
    }
    Thread completer = new Thread(() -> {
      List<CompletableFuture<Long>> batch = new ArrayList<>();
      long count = 0;
      while (callers.stream().anyMatch(Thread::isAlive)) {
        try {
          CompletableFuture<Long> first = waiting.poll(10, TimeUnit.MILLISECONDS);
          if (first == null) {
            continue;
          }
          batch.add(first);
          waiting.drainTo(batch);
          for (CompletableFuture<Long> answer : batch) {
            answer.complete(++count);
          }
          batch.clear();
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    long begun = System.nanoTime();
    completer.start();
    for (Thread caller : callers) {
      caller.join();
    }
    completer.join();
    return calls.get() / ((System.nanoTime() - begun) / 1e9);
  }
}
