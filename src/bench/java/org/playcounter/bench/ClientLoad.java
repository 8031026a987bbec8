package org.playcounter.bench;

import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.playcounter.client.PlayCounterClient;

/**
 * Plays and reads per second through {@link PlayCounterClient} from 1, 8 and 64 threads against
 * one local counter server: per call, batched ({@code builder().batching}), pipelined with
 * {@code incrementAsync}, bulk {@code add()}s of 1,000 plays, and pages of 50 songs read by
 * {@code counts(ids)} against 50 {@code count(id)} calls; with each phase's p50, p99 and max call
 * latency.
 *
 * <p>Run with the client jar on the class path: {@code java -cp target/playcounter-*-client.jar
 * src/bench/java/org/playcounter/bench/ClientLoad.java http://127.0.0.1:8080 8 15}: seconds a
 * phase, then seconds of warm-up before the first. Songs are drawn at random from 1 to 100,000,
 * as {@code post-keyed.lua} draws them for wrk. It refuses any server not on the loopback
 * interface, and every loop ends at its phase's deadline.
 */
public final class ClientLoad {
  private static final int SONGS = 100_000;
  private static final int PAGE = 50;
  /** Songs in each call of the bulk phase. */
  private static final int BULK = 1_000;
  /** Plays each thread of the pipelined phase keeps in flight. */
  private static final int IN_FLIGHT = 64;
  private static final Duration LINGER = Duration.ofMillis(1);
  private static final int MAX_BATCH = 4096;

  private final Duration phase;
  private final PlayCounterClient perCall;
  private final PlayCounterClient batched;

  private ClientLoad(URI server, Duration phase) {
    this.phase = phase;
    this.perCall = PlayCounterClient.builder().servers(server).build();
    this.batched = PlayCounterClient.builder().servers(server).batching(LINGER, MAX_BATCH)
        .build();
  }

  public static void main(String[] args) throws Exception {
    URI server = URI.create(args.length > 0 ? args[0] : "http://127.0.0.1:8080");
    Duration phase = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 8);
    Duration warmUp = Duration.ofSeconds(args.length > 2 ? Long.parseLong(args[2]) : 15);
    if (server.getHost() == null || !InetAddress.getByName(server.getHost()).isLoopbackAddress()) {
      throw new IllegalArgumentException("not a loopback server: " + server);
    }
    new ClientLoad(server, phase).run(warmUp);
  }

  private void run(Duration warmUp) throws Exception {
    System.out.printf("%s a phase after %s of warm-up; songs 1..%,d at random%n", phase, warmUp,
        SONGS);
    long warmEnd = System.nanoTime() + warmUp.toNanos();
    while (System.nanoTime() < warmEnd) { // every way once, so that all of it is compiled
      Duration slice = Duration.ofSeconds(1);
      measure(slice, 64, thread -> perCall.increment(song()));
      measure(slice, 64, thread -> batched.increment(song()));
      measure(slice, 8, thread -> perCall.count(song()));
      pipelined(slice, 8);
      measure(slice, 8, thread -> perCall.counts(page()));
    }
    for (int threads : new int[] {1, 8, 64}) {
      report("increment(), per call", threads, 1, measure(phase, threads,
          thread -> perCall.increment(song())));
      report("count(), per call", threads, 1, measure(phase, threads,
          thread -> perCall.count(song())));
      report("increment(), batched", threads, 1, measure(phase, threads,
          thread -> batched.increment(song())));
    }
    report("incrementAsync(), batched, " + IN_FLIGHT + " in flight each", 64, 1,
        pipelined(phase, 64));
    Map<String, Long> bulk = new LinkedHashMap<>();
    for (int song = 1; song <= BULK; song++) {
      bulk.put(Integer.toString(song * (SONGS / BULK)), 1L);
    }
    report("add() of " + BULK + " plays a call", 1, BULK, measure(phase, 1,
        thread -> perCall.add(bulk)));
    for (int threads : new int[] {1, 64}) {
      report(PAGE + " count() calls a page", threads, PAGE, measure(phase, threads, thread -> {
        for (String id : page()) {
          perCall.count(id);
        }
      }));
      report("counts() of " + PAGE + " a page", threads, PAGE, measure(phase, threads,
          thread -> perCall.counts(page())));
    }
    perCall.close();
    batched.close();
  }

  private static String song() {
    return Integer.toString(1 + ThreadLocalRandom.current().nextInt(SONGS));
  }

  private static List<String> page() {
    List<String> ids = new ArrayList<>(PAGE);
    int first = ThreadLocalRandom.current().nextInt(SONGS);
    for (int k = 0; k < PAGE; k++) {
      ids.add(Integer.toString(1 + (first + k) % SONGS));
    }
    return ids;
  }

  /** {@code threads} threads making calls until the phase ends, each call timed. */
  private static Result measure(Duration length, int threads, Call call) throws Exception {
    Latencies latencies = new Latencies();
    AtomicLong calls = new AtomicLong();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> running = new ArrayList<>();
    long[] window = new long[2];
    for (int t = 0; t < threads; t++) {
      int thread = t;
      Thread worker = new Thread(() -> {
        Latencies mine = new Latencies();
        long n = 0;
        try {
          start.await();
          long end = window[1];
          while (true) {
            long before = System.nanoTime();
            if (before >= end) {
              break;
            }
            call.run(thread);
            mine.add(System.nanoTime() - before);
            n++;
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        calls.addAndGet(n);
        latencies.merge(mine);
      });
      running.add(worker);
      worker.start();
    }
    window[0] = System.nanoTime();
    window[1] = window[0] + length.toNanos();
    start.countDown();
    for (Thread worker : running) {
      worker.join();
    }
    return new Result(calls.get(), (System.nanoTime() - window[0]) / 1e9, latencies);
  }

  /** Each of {@code threads} threads keeps {@link #IN_FLIGHT} batched plays in flight. */
  private Result pipelined(Duration length, int threads) throws Exception {
    Latencies latencies = new Latencies();
    AtomicLong plays = new AtomicLong();
    CountDownLatch start = new CountDownLatch(1);
    long end = System.nanoTime() + length.toNanos();
    List<Thread> running = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread worker = new Thread(() -> {
        Latencies mine = new Latencies();
        ArrayDeque<long[]> sentAt = new ArrayDeque<>();
        ArrayDeque<CompletableFuture<Long>> inFlight = new ArrayDeque<>();
        long n = 0;
        try {
          start.await();
          while (System.nanoTime() < end || !inFlight.isEmpty()) {
            if (inFlight.size() < IN_FLIGHT && System.nanoTime() < end) {
              sentAt.add(new long[] {System.nanoTime()});
              inFlight.add(batched.incrementAsync(song()));
              continue;
            }
            inFlight.poll().join();
            mine.add(System.nanoTime() - sentAt.poll()[0]);
            n++;
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        plays.addAndGet(n);
        latencies.merge(mine);
      });
      running.add(worker);
      worker.start();
    }
    long begun = System.nanoTime();
    start.countDown();
    for (Thread worker : running) {
      worker.join();
    }
    return new Result(plays.get(), (System.nanoTime() - begun) / 1e9, latencies);
  }

  private static void report(String what, int threads, int perCall, Result result) {
    System.out.printf("measured  %-44s %2d threads %,12.0f %s/s  p50 %7.3f ms  p99 %7.3f ms"
        + "  max %8.3f ms%n", what, threads, result.calls * (double) perCall / result.seconds,
        perCall == 1 ? "calls" : what.startsWith("add()") ? "plays" : "reads", result.latencies.percentile(0.50) / 1e6,
        result.latencies.percentile(0.99) / 1e6, result.latencies.max() / 1e6);
  }

  /** One call of a phase, by thread {@code thread}. */
  @FunctionalInterface
  private interface Call {
    void run(int thread);
  }

  private record Result(long calls, double seconds, Latencies latencies) {}

  /** Call times in buckets of 1/16 of a power of two: about 4 % wide, up to 2^40 ns. */
  private static final class Latencies {
    private final long[] buckets = new long[41 * 16];
    private long max;

    void add(long nanos) {
      long n = Math.max(1, nanos);
      int power = 63 - Long.numberOfLeadingZeros(n);
      int sixteenth = power < 4 ? 0 : (int) ((n >>> (power - 4)) & 15);
      buckets[Math.min(buckets.length - 1, power * 16 + sixteenth)]++;
      max = Math.max(max, nanos);
    }

    synchronized void merge(Latencies other) {
      for (int i = 0; i < buckets.length; i++) {
        buckets[i] += other.buckets[i];
      }
      max = Math.max(max, other.max);
    }

    /** The upper end of the bucket that holds quantile {@code q}. */
    synchronized double percentile(double q) {
      long total = 0;
      for (long b : buckets) {
        total += b;
      }
      long rank = (long) Math.ceil(q * total);
      long seen = 0;
      for (int i = 0; i < buckets.length; i++) {
        seen += buckets[i];
        if (seen >= rank && buckets[i] > 0) {
          int power = i / 16;
          return (double) (1L << power) * (1 + (i % 16 + 1) / 16.0);
        }
      }
      return max;
    }

    synchronized long max() {
      return max;
    }
  }
}
