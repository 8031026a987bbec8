package org.playcounter.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.playcounter.http.ServletContainer;

/**
 * The whole system: three, then four durable playcounter servers (Jetty 12.1, each with its data
 * directory, on loopback ports), 16 threads playing keyed plays through one client while the
 * test (a) restarts each server in turn with a clean stop, (b) SIGKILLs one and starts it again,
 * (c) adds a fourth server through {@code previousServers}, and (d) SIGKILLs one for good with
 * failover on; a reader checks through (a)-(c) that no song's count ever goes down. Then the
 * lost server's disk is recovered (a server started on its data directory), the fold job folds
 * every server into SQLite, and the database holds exactly the acknowledged plays, or for (d)
 * at least them and at most the doubles the client counted more.
 */
class ClusterIT {
  private static final int THREADS = 16;
  private static final int SONGS = 2_000;
  /** Song ids that spell words of the server's own formats, among the plain ones. */
  private static final List<String> WORDS = List.of("drain", "drains", "snapshot", "journal",
      "keys", "v3", "id", "song", "health", "metrics");
  private static final Duration RIDE = Duration.ofSeconds(30);
  private static final Duration FAILOVER_AFTER = Duration.ofSeconds(4);
  private static final String[] PHASES = {"warm-up", "a: clean restarts", "b: SIGKILL+restart",
      "c: fourth server", "d: one lost, failover"};

  @TempDir
  Path dir;

  private final AtomicReference<PlayCounterClient> client = new AtomicReference<>();
  private final AtomicLongArray acknowledged = new AtomicLongArray(SONGS + WORDS.size());
  private final long[] failed = new long[PHASES.length];
  private final long[] uncertain = new long[PHASES.length];
  private final long[] readFailures = new long[PHASES.length];
  private final List<String> wentDown = new ArrayList<>();
  private final List<List<long[]>> latencies = new ArrayList<>();
  private volatile int phase;
  private volatile boolean playing = true;

  @Test
  void fourServersCountEveryAcknowledgedPlayThroughRestartsAnAdditionAndALoss()
      throws Exception {
    List<ServletContainer> servers = new ArrayList<>();
    List<PlayCounterClient> clients = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        servers.add(start(i));
      }
      List<URI> three = uris(servers);
      clients.add(swap(PlayCounterClient.builder().servers(three).retryFor(RIDE)));
      for (int i = 0; i < PHASES.length; i++) {
        latencies.add(new ArrayList<>());
      }
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        threads.add(started("player-" + t, this::play));
      }
      Thread reader = started("reader", this::read);
      sleep(3_000);

      next(); // (a)
      for (ServletContainer server : servers) {
        server.close();
        server.restart();
        sleep(1_500);
      }
      next(); // (b)
      servers.get(1).kill();
      servers.get(1).restart();
      sleep(1_500);
      next(); // (c)
      servers.add(start(3));
      clients.add(swap(PlayCounterClient.builder().servers(uris(servers))
          .previousServers(three).retryFor(RIDE)));
      sleep(3_000);
      next(); // (d): the reader's checks end here
      clients.add(swap(PlayCounterClient.builder().servers(uris(servers))
          .previousServers(three).retryFor(FAILOVER_AFTER).failover(true)));
      sleep(500);
      ServletContainer lost = servers.get(2);
      lost.kill();
      sleep(FAILOVER_AFTER.toMillis() + 5_000);
      playing = false;
      for (Thread thread : threads) {
        thread.join(TimeUnit.SECONDS.toMillis(RIDE.toSeconds() + 40));
      }
      reader.join(TimeUnit.SECONDS.toMillis(RIDE.toSeconds() + 40));

      lost.restart(); // its disk recovered: a server on its data directory gives its plays up
      String db = "jdbc:sqlite:" + dir.resolve("plays.db");
      String fold = fold(db, uris(servers), three);
      Map<String, Long> folded = plays(db);
      long doubles = clients.stream().mapToLong(PlayCounterClient::possibleDoubles).sum();
      System.out.println(report(doubles));
      for (int i = 0; i < PHASES.length - 1; i++) {
        assertEquals(0, failed[i] + readFailures[i], PHASES[i] + ": calls failed: "
            + report(doubles));
      }
      assertEquals(List.of(), wentDown, "a count went down in (a)-(c)");
      long extra = 0;
      for (int s = 0; s < acknowledged.length(); s++) {
        long want = acknowledged.get(s);
        long got = folded.getOrDefault(song(s), 0L);
        assertTrue(got >= want, song(s) + ": " + got + " plays folded, " + want
            + " acknowledged\n" + fold);
        extra += got - want;
      }
      long allowed = doubles + uncertain[PHASES.length - 1];
      System.out.println("  plays folded beyond the acknowledged ones: " + extra + " (at most "
          + allowed + ")");
      assertTrue(extra <= allowed, extra + " plays folded beyond the acknowledged ones, but"
          + " only " + allowed + " were possible doubles or failed plays that may have counted\n"
          + fold);
      assertTrue(folded.values().stream().mapToLong(Long::longValue).sum() > 10_000,
          "too few plays to mean anything: " + report(doubles));
    } finally {
      playing = false;
      clients.forEach(PlayCounterClient::close);
      for (ServletContainer server : servers) {
        server.close();
      }
    }
  }

  /** Plays random songs through the current client until told to stop, timing each call. */
  private void play() {
    long[][] times = new long[PHASES.length][];
    int[] sizes = new int[PHASES.length];
    for (int i = 0; i < PHASES.length; i++) {
      times[i] = new long[1 << 14];
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    while (playing) {
      int p = phase;
      int s = random.nextInt(acknowledged.length());
      long start = System.nanoTime();
      try {
        client.get().increment(song(s));
        acknowledged.incrementAndGet(s);
      } catch (PlayCounterException e) {
        synchronized (failed) {
          failed[p]++;
          uncertain[p] += e.mayHaveCounted() ? 1 : 0;
        }
      }
      if (sizes[p] == times[p].length) {
        times[p] = Arrays.copyOf(times[p], sizes[p] * 2);
      }
      times[p][sizes[p]++] = System.nanoTime() - start;
    }
    synchronized (latencies) {
      for (int i = 0; i < PHASES.length; i++) {
        latencies.get(i).add(Arrays.copyOf(times[i], sizes[i]));
      }
    }
  }

  /** Reads 200 songs at a time, checking through (a)-(c) that no count goes down. */
  private void read() {
    long[] last = new long[acknowledged.length()];
    List<String> ids = new ArrayList<>();
    for (int s = 0; s < acknowledged.length(); s += 10) {
      ids.add(song(s));
    }
    while (playing) {
      int p = phase;
      try {
        Map<String, Long> counts = client.get().counts(ids);
        for (int i = 0; i < ids.size(); i++) {
          long count = counts.get(ids.get(i));
          if (p < PHASES.length - 1 && phase < PHASES.length - 1 && count < last[i * 10]) {
            synchronized (wentDown) {
              wentDown.add(ids.get(i) + " from " + last[i * 10] + " to " + count + " in "
                  + PHASES[p]);
            }
          }
          last[i * 10] = Math.max(last[i * 10], count);
        }
      } catch (PlayCounterException e) {
        synchronized (failed) {
          readFailures[p]++;
        }
      }
      sleep(20);
    }
  }

  /** Plays a second, p99 and max per phase, failures, and the doubles counted. */
  private String report(long doubles) {
    StringBuilder out = new StringBuilder("ClusterIT, " + THREADS + " threads of keyed plays:\n");
    for (int i = 0; i < PHASES.length; i++) {
      long[] all = latencies.get(i).stream().flatMapToLong(Arrays::stream).sorted().toArray();
      out.append(String.format("  %-24s %8d calls, p99 %8.1f ms, max %8.1f ms, %d failed"
          + " (%d maybe counted), %d reads failed%n", PHASES[i], all.length,
          all.length == 0 ? 0.0 : all[(int) Math.min(all.length - 1, all.length * 0.99)] / 1e6,
          all.length == 0 ? 0.0 : all[all.length - 1] / 1e6, failed[i], uncertain[i],
          readFailures[i]));
    }
    return out.append("  possible doubles counted by the clients: ").append(doubles).toString();
  }

  private static String song(int s) {
    return s < SONGS ? "s" + s : WORDS.get(s - SONGS);
  }

  private ServletContainer start(int i) throws IOException {
    return ServletContainer.start(ServletContainer.Kind.JETTY_12_1, Map.of(
        "playcounter.data-dir", dir.resolve("data-" + i).toString(),
        "playcounter.fsync", "interval"), "/");
  }

  private static List<URI> uris(List<ServletContainer> servers) {
    return servers.stream().map(server -> server.uri("/")).toList();
  }

  /** Builds the next client and hands it to every thread; the old one is closed at the end. */
  private PlayCounterClient swap(PlayCounterClientBuilder builder) {
    PlayCounterClient built = builder.build();
    client.set(built);
    return built;
  }

  private void next() {
    phase++;
  }

  private static Thread started(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.start();
    return thread;
  }

  /** One run of the built fold jar over both lists of servers into {@code db}; its output. */
  private String fold(String db, List<URI> servers, List<URI> previous) throws Exception {
    Path out = dir.resolve("fold.out");
    Process process = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
        foldJar().toString(), "--servers=" + list(servers), "--previous-servers=" + list(previous),
        "--db=" + db)
        .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      fail("the fold job did not end within 120 s: " + Files.readString(out));
    }
    String output = Files.readString(out, StandardCharsets.UTF_8);
    assertEquals(0, process.exitValue(), output);
    return output;
  }

  private static String list(List<URI> servers) {
    return servers.stream().map(URI::toString).collect(Collectors.joining(","));
  }

  private static Path foldJar() throws IOException {
    String named = System.getProperty("playcounter.fold.jar");
    if (named != null) {
      return Path.of(named);
    }
    try (DirectoryStream<Path> jars = Files.newDirectoryStream(Path.of("target"),
        "playcounter-*-fold.jar")) {
      for (Path jar : jars) {
        return jar;
      }
    }
    throw new IllegalStateException("no target/playcounter-*-fold.jar: run mvn package first");
  }

  private static Map<String, Long> plays(String db) throws SQLException {
    Map<String, Long> plays = new HashMap<>();
    try (Connection connection = DriverManager.getConnection(db);
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT song, plays FROM songs")) {
      while (rows.next()) {
        plays.put(rows.getString(1), rows.getLong(2));
      }
    }
    return plays;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
