package org.playcounter.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.playcounter.client.PlayCounterClient;

/**
 * Measures single-threaded plays per second against one local counter server: through the
 * client's keep-alive connection, through a new connection per request as the original client
 * did, and through bulk {@code add} calls.
 *
 * <p>Run with the compiled client on the class path, for example
 * {@code java -cp target/classes src/bench/java/org/playcounter/bench/ClientBench.java
 * http://127.0.0.1:8080 5}; with a third argument {@code reads} it measures reads of pages of
 * songs instead ({@link #runReads}). It only plays and then deletes songs named {@code bench-*}, and it
 * refuses any server that is not on the loopback interface.
 */
public final class ClientBench {
  private static final int BULK_SONGS = 1_000;
  /** Songs a page shows, read at once by {@link #runReads}. */
  private static final int PAGE = 50;

  private final URI server;
  private final Duration phase;
  private final PlayCounterClient client;
  /** The same client whose HttpClient runs its internal tasks on the selector thread. */
  private final PlayCounterClient sameThreadClient;

  private ClientBench(URI server, Duration phase) {
    this.server = server;
    this.phase = phase;
    this.client = new PlayCounterClient(List.of(server));
    this.sameThreadClient = PlayCounterClient.builder().servers(server).executor(Runnable::run)
        .build();
  }

  public static void main(String[] args) throws Exception {
    URI server = URI.create(args.length > 0 ? args[0] : "http://127.0.0.1:8080");
    Duration phase = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 5);
    if (server.getHost() == null || !InetAddress.getByName(server.getHost()).isLoopbackAddress()) {
      throw new IllegalArgumentException("not a loopback server: " + server);
    }
    // HttpURLConnection ignores a Connection request header; this makes it send "close" itself.
    System.setProperty("http.keepAlive", "false");
    ClientBench bench = new ClientBench(server, phase);
    if (args.length > 2 && args[2].equals("reads")) {
      bench.runReads();
    } else {
      bench.run();
    }
  }

  /**
   * Reads of pages of {@link #PAGE} songs (as a site shows a page of songs with their counts):
   * one {@code counts(ids)} call a page against {@link #PAGE} {@code count(id)} calls, over
   * {@link #BULK_SONGS} songs played once each.
   */
  private void runReads() {
    System.out.printf("server %s, %s per phase, one thread, pages of %d songs%n", server, phase,
        PAGE);
    try {
      bulkAdd(0);
      for (boolean measured : new boolean[] {false, true}) {
        report(measured, PAGE + " count() calls a page", measure(i -> {
          for (String id : page(i)) {
            client.count(id);
          }
        }, PAGE), "reads/s");
        report(measured, "counts() of " + PAGE + " a page",
            measure(i -> client.counts(page(i)), PAGE), "reads/s");
      }
    } finally {
      for (int i = 0; i < BULK_SONGS; i++) {
        client.delete("bench-" + i);
      }
    }
  }

  /** Page {@code i} of the songs, {@link #PAGE} of them, the pages in turn. */
  private static List<String> page(long i) {
    List<String> ids = new ArrayList<>(PAGE);
    long first = i * PAGE % BULK_SONGS;
    for (int k = 0; k < PAGE; k++) {
      ids.add("bench-" + (first + k) % BULK_SONGS);
    }
    return ids;
  }

  private void run() throws IOException {
    System.out.printf("server %s, %s per phase, one thread%n", server, phase);
    try {
      // The first round only warms up both JITs: the first seconds run at a fraction of the speed.
      for (boolean measured : new boolean[] {false, true}) {
        report(measured, "keep-alive increment()", measure(this::keepAliveIncrement, 1));
        report(measured, "keep-alive, same-thread executor",
            measure(i -> sameThreadClient.increment("bench-" + (i % BULK_SONGS)), 1));
        report(measured, "new connection per request", measure(this::freshConnectionIncrement, 1));
        report(measured, "bulk add() of " + BULK_SONGS + " plays", measure(this::bulkAdd,
            BULK_SONGS));
      }
    } finally {
      for (int i = 0; i < BULK_SONGS; i++) {
        client.delete("bench-" + i);
      }
    }
  }

  /** One play through the client's shared {@code HttpClient}. */
  private void keepAliveIncrement(long i) {
    client.increment("bench-" + (i % BULK_SONGS));
  }

  /** One play the original's way: a new TCP connection that the request itself closes. */
  private void freshConnectionIncrement(long i) {
    try {
      URI uri = URI.create(server + "/song/bench-" + (i % BULK_SONGS));
      HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
      connection.setRequestMethod("POST");
      if (connection.getResponseCode() != 200) {
        throw new IOException(uri + " answered " + connection.getResponseCode());
      }
      try (InputStream in = connection.getInputStream()) {
        in.readAllBytes();
      }
      connection.disconnect();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@link #BULK_SONGS} plays, one per song, in one {@code POST /}. */
  private void bulkAdd(long i) {
    Map<String, Long> plays = new LinkedHashMap<>();
    for (int song = 0; song < BULK_SONGS; song++) {
      plays.put("bench-" + song, 1L);
    }
    client.add(plays);
  }

  /** Runs {@code call} for one phase and returns plays per second. */
  private double measure(Call call, int playsPerCall) {
    long start = System.nanoTime();
    long calls = loop(call, phase);
    double seconds = (System.nanoTime() - start) / 1e9;
    return calls * (double) playsPerCall / seconds;
  }

  private static long loop(Call call, Duration duration) {
    long deadline = System.nanoTime() + duration.toNanos();
    long calls = 0;
    while (System.nanoTime() < deadline) {
      call.run(calls++);
    }
    return calls;
  }

  private static void report(boolean measured, String what, double playsPerSecond) {
    report(measured, what, playsPerSecond, "plays/s");
  }

  private static void report(boolean measured, String what, double perSecond, String unit) {
    System.out.printf("%-10s %-32s %,12.0f %s%n", measured ? "measured" : "warm-up", what,
        perSecond, unit);
  }

  @FunctionalInterface
  private interface Call {
    void run(long i);
  }
}
