package org.playcounter.bench;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.playcounter.client.PlayCounterClient;
import org.playcounter.client.PlayCounterException;

/**
 * Many servers as one counter, measured: playcounter servers (the WAR in standalone Jetty 12.1
 * processes this program starts, stops and kills by process id, each pinned to CPU 1 with its own
 * data directory on loopback) and 16 client threads on this JVM.
 *
 * <ul>
 *   <li>{@code cost}: plays and reads a second from 16 threads per call, through three servers,
 *       with failover off, failover on, and {@code previousServers} set (two servers before,
 *       three now), in interleaved rounds after a warm-up of every way.
 *   <li>{@code scenario}: after a warm-up, keyed plays from 16 threads while each of three servers restarts in
 *       turn (clean stop), one is SIGKILLed and started again, a fourth is added through
 *       {@code previousServers}, and one is SIGKILLed for good with failover on; plays a second
 *       every half second with the events, and each phase's p99, max and failed calls.
 *   <li>{@code ride SONGS}: one server holding SONGS songs, 4 threads playing; a clean restart,
 *       then a SIGKILL and a start: how long the longest call took (the time to ride it), the
 *       time from the stop to {@code /health} 200, and the calls that failed.
 * </ul>
 *
 * <p>Usage: {@code java -cp CLIENT_JAR ClusterLoad.java MODE JETTY_HOME WAR WORK_DIR SECONDS
 * WARMUP [SONGS]}. Every loop is bounded in time; every server it started is stopped at exit.
 */
public final class ClusterLoad {
  private static final int THREADS = 16;
  private static final int SONGS = 100_000;

  private final Path jettyHome;
  private final Path war;
  private final Path work;
  private final List<Node> nodes = new ArrayList<>();

  private ClusterLoad(Path jettyHome, Path war, Path work) {
    this.jettyHome = jettyHome;
    this.war = war;
    this.work = work;
  }

  public static void main(String[] args) throws Exception {
    ClusterLoad load = new ClusterLoad(Path.of(args[1]), Path.of(args[2]), Path.of(args[3]));
    Duration phase = Duration.ofSeconds(Long.parseLong(args[4]));
    Duration warmUp = Duration.ofSeconds(Long.parseLong(args[5]));
    Runtime.getRuntime().addShutdownHook(new Thread(load::stopAll));
    try {
      switch (args[0]) {
        case "cost" -> load.cost(phase, warmUp);
        case "scenario" -> load.scenario(phase, warmUp);
        case "ride" -> load.ride(Long.parseLong(args[6]), phase);
        default -> throw new IllegalArgumentException("unknown mode: " + args[0]);
      }
    } finally {
      load.stopAll();
    }
  }

  private void cost(Duration phase, Duration warmUp) throws Exception {
    for (int i = 0; i < 3; i++) {
      node("-Xms1g -Xmx1g").start();
    }
    List<URI> three = uris();
    Map<String, PlayCounterClient> ways = new LinkedHashMap<>();
    ways.put("failover off", PlayCounterClient.builder().servers(three).build());
    ways.put("failover on", PlayCounterClient.builder().servers(three).failover(true).build());
    ways.put("previousServers (2 -> 3)", PlayCounterClient.builder().servers(three)
        .previousServers(three.subList(0, 2)).build());
    long warmEnd = System.nanoTime() + warmUp.toNanos();
    while (System.nanoTime() < warmEnd) {
      for (PlayCounterClient client : ways.values()) {
        perCall(Duration.ofSeconds(1), client::increment);
        perCall(Duration.ofSeconds(1), client::count);
      }
    }
    Map<String, List<Double>> rates = new LinkedHashMap<>();
    for (int round = 0; round < 3; round++) {
      for (Map.Entry<String, PlayCounterClient> way : ways.entrySet()) {
        rates.computeIfAbsent(way.getKey() + " increment()", k -> new ArrayList<>())
            .add(perCall(phase, way.getValue()::increment));
        rates.computeIfAbsent(way.getKey() + " count()", k -> new ArrayList<>())
            .add(perCall(phase, way.getValue()::count));
      }
    }
    rates.forEach((name, list) -> System.out.printf("cost %-40s %,10.0f calls/s (median of %d)%n",
        name, median(list), list.size()));
    ways.values().forEach(PlayCounterClient::close);
  }

  private void scenario(Duration settle, Duration warmUp) throws Exception {
    String[] phases = {"warm-up", "steady, 3 servers", "a: clean restart of each",
        "b: SIGKILL + start", "c: 4th added (previousServers)", "d: SIGKILL for good, failover"};
    for (int i = 0; i < 3; i++) {
      node("-Xms1g -Xmx1g").start();
    }
    List<URI> three = uris();
    Node fourth = node("-Xms1g -Xmx1g"); // its directories made now, started in (c)
    AtomicReference<PlayCounterClient> client = new AtomicReference<>(
        PlayCounterClient.builder().servers(three).build());
    Run run = new Run(phases.length, THREADS, id -> client.get().increment(id));
    long begun = System.nanoTime();
    List<String> events = new ArrayList<>();
    Consumer<String> event = name -> events.add(String.format("%.1f %s",
        (System.nanoTime() - begun) / 1e9, name));
    run.start();
    sleep(warmUp);
    run.phase(1);
    sleep(settle);
    run.phase(2);
    for (int i = 0; i < 3; i++) {
      event.accept("restart " + (i + 1));
      nodes.get(i).stop();
      nodes.get(i).start();
      sleep(settle.dividedBy(2));
    }
    run.phase(3);
    event.accept("SIGKILL 2, start");
    nodes.get(1).kill();
    nodes.get(1).start();
    sleep(settle);
    run.phase(4);
    event.accept("4th starting");
    fourth.start();
    client.set(PlayCounterClient.builder().servers(uris()).previousServers(three).build());
    event.accept("clients: 4 servers, previous 3");
    sleep(settle);
    run.phase(5);
    client.set(PlayCounterClient.builder().servers(uris()).previousServers(three)
        .retryFor(Duration.ofSeconds(5)).failover(true).build());
    sleep(Duration.ofSeconds(1));
    event.accept("SIGKILL 3 for good (failover on, retryFor 5 s)");
    nodes.get(2).kill();
    sleep(settle.plusSeconds(5));
    run.stop();
    run.timeline(begun).forEach(line -> System.out.println("timeline " + line));
    events.forEach(line -> System.out.println("event " + line));
    for (int i = 0; i < phases.length; i++) {
      System.out.println("phase " + run.summary(i, phases[i]));
    }
  }

  private void ride(long songs, Duration settle) throws Exception {
    String heap = songs >= 5_000_000 ? "-Xms3g -Xmx3g" : "-Xms1g -Xmx1g";
    Node node = node(heap + " -Dplaycounter.max-body-bytes=16777216 -Dplaycounter.max-songs="
        + 2 * songs);
    node.start();
    try (PlayCounterClient loader = PlayCounterClient.builder().servers(node.uri())
        .requestTimeout(Duration.ofSeconds(120)).build()) {
      for (long from = 0; from < songs; from += 250_000) {
        Map<String, Long> plays = new LinkedHashMap<>();
        for (long i = from; i < Math.min(songs, from + 250_000); i++) {
          plays.put("s" + i, 1L);
        }
        loader.add(plays);
      }
    }
    PlayCounterClient client = PlayCounterClient.builder().servers(node.uri()).build();
    Run run = new Run(3, 4, id -> client.increment(id));
    run.start();
    sleep(settle);
    run.phase(1);
    long stop = System.nanoTime();
    node.stop();
    node.start();
    double clean = (System.nanoTime() - stop) / 1e9;
    sleep(settle);
    run.phase(2);
    stop = System.nanoTime();
    node.kill();
    node.start();
    double killed = (System.nanoTime() - stop) / 1e9;
    sleep(settle);
    run.stop();
    System.out.printf("ride %,d songs: clean restart %.2f s to /health 200; %s%n", songs, clean,
        run.summary(1, "calls"));
    System.out.printf("ride %,d songs: SIGKILL + start %.2f s to /health 200; %s%n", songs,
        killed, run.summary(2, "calls"));
    client.close();
  }

  /** Calls a second of {@code call} on random songs from {@value #THREADS} threads. */
  private static double perCall(Duration length, Consumer<String> call) throws Exception {
    AtomicLong calls = new AtomicLong();
    long end = System.nanoTime() + length.toNanos();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      Thread thread = new Thread(() -> {
        long n = 0;
        while (System.nanoTime() < end) {
          call.accept(song());
          n++;
        }
        calls.addAndGet(n);
      });
      thread.start();
      threads.add(thread);
    }
    for (Thread thread : threads) {
      thread.join();
    }
    return calls.get() / (length.toNanos() / 1e9);
  }

  private static String song() {
    return "s" + ThreadLocalRandom.current().nextInt(SONGS);
  }

  private static double median(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return sorted[sorted.length / 2];
  }

  private Node node(String jvm) throws IOException {
    Node node = new Node(work.resolve("server-" + (nodes.size() + 1)), jvm);
    nodes.add(node);
    return node;
  }

  private List<URI> uris() {
    return nodes.stream().map(Node::uri).toList();
  }

  private void stopAll() {
    for (Node node : nodes) {
      node.stop();
    }
  }

  private static void sleep(Duration duration) throws InterruptedException {
    Thread.sleep(duration.toMillis());
  }

  /** Threads playing through {@code call} until stopped: per phase latencies and failures. */
  private static final class Run {
    private final int threads;
    private final Consumer<String> call;
    private final List<List<long[]>> latencies = new ArrayList<>();
    private final long[] failed;
    /** Completed calls, and when, as {@link System#nanoTime}: for the timeline. */
    private final List<long[]> ends = new ArrayList<>();
    private final List<Thread> running = new ArrayList<>();
    private volatile int phase;
    private volatile boolean going = true;

    Run(int phases, int threads, Consumer<String> call) {
      this.threads = threads;
      this.call = call;
      this.failed = new long[phases];
      for (int i = 0; i < phases; i++) {
        latencies.add(new ArrayList<>());
      }
    }

    void start() {
      for (int t = 0; t < threads; t++) {
        Thread thread = new Thread(this::play);
        thread.start();
        running.add(thread);
      }
    }

    void phase(int next) {
      phase = next;
    }

    void stop() throws InterruptedException {
      going = false;
      for (Thread thread : running) {
        thread.join(TimeUnit.SECONDS.toMillis(120));
      }
    }

    private void play() {
      int phases = failed.length;
      long[][] times = new long[phases][1 << 14];
      int[] sizes = new int[phases];
      long[] done = new long[1 << 16];
      int doneSize = 0;
      while (going) {
        int p = phase;
        long start = System.nanoTime();
        try {
          call.accept(song());
        } catch (PlayCounterException e) {
          synchronized (failed) {
            failed[p]++;
          }
        }
        long end = System.nanoTime();
        if (sizes[p] == times[p].length) {
          times[p] = Arrays.copyOf(times[p], sizes[p] * 2);
        }
        times[p][sizes[p]++] = end - start;
        if (doneSize == done.length) {
          done = Arrays.copyOf(done, doneSize * 2);
        }
        done[doneSize++] = end;
      }
      synchronized (latencies) {
        for (int i = 0; i < phases; i++) {
          latencies.get(i).add(Arrays.copyOf(times[i], sizes[i]));
        }
        ends.add(Arrays.copyOf(done, doneSize));
      }
    }

    /** "t plays/s" every half second from {@code begun}. */
    List<String> timeline(long begun) {
      long[] all = ends.stream().flatMapToLong(Arrays::stream).sorted().toArray();
      long slot = TimeUnit.MILLISECONDS.toNanos(500);
      List<String> lines = new ArrayList<>();
      int i = 0;
      for (long from = begun; i < all.length; from += slot) {
        int n = 0;
        while (i < all.length && all[i] < from + slot) {
          n++;
          i++;
        }
        lines.add(String.format("%.1f %d", (from + slot - begun) / 1e9, n * 2));
      }
      return lines;
    }

    String summary(int p, String name) {
      long[] all = latencies.get(p).stream().flatMapToLong(Arrays::stream).sorted().toArray();
      if (all.length == 0) {
        return String.format("%-32s no calls", name);
      }
      return String.format("%-32s %,9d calls, p99 %8.1f ms, max %8.1f ms, %d failed", name,
          all.length, all[(int) Math.min(all.length - 1, all.length * 0.99)] / 1e6,
          all[all.length - 1] / 1e6, failed[p]);
    }
  }

  /** One Jetty 12.1 process with the WAR at its root and a data directory of its own. */
  private final class Node {
    private final Path base;
    private final String jvm;
    private final int port;
    private Process process;

    Node(Path base, String jvm) throws IOException {
      this.base = base;
      this.jvm = jvm;
      try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1,
          java.net.InetAddress.getLoopbackAddress())) {
        this.port = socket.getLocalPort();
      }
      Files.createDirectories(base.resolve("webapps"));
      Files.copy(war, base.resolve("webapps/ROOT.war"));
      Process setup = new ProcessBuilder(java(), "-jar", jettyHome.resolve("start.jar").toString(),
          "--add-modules=server,http,ee10-deploy").directory(base.toFile())
          .redirectErrorStream(true).redirectOutput(base.resolve("setup.log").toFile()).start();
      try {
        if (!setup.waitFor(60, TimeUnit.SECONDS) || setup.exitValue() != 0) {
          throw new IOException("jetty --add-modules failed in " + base);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
    }

    URI uri() {
      return URI.create("http://127.0.0.1:" + port);
    }

    /** Starts the process and waits for {@code /health} 200, at most 120 s. */
    void start() throws IOException, InterruptedException {
      List<String> command = new ArrayList<>(List.of("taskset", "-c", "1", java()));
      command.addAll(List.of(jvm.split(" ")));
      command.addAll(List.of("-XX:+UseParallelGC",
          "-Dplaycounter.data-dir=" + base.resolve("data"),
          "-Dorg.eclipse.jetty.http.HttpGenerator.STRICT=true",
          "-jar", jettyHome.resolve("start.jar").toString(), "jetty.http.host=127.0.0.1",
          "jetty.http.port=" + port, "jetty.threadPool.minThreads=8",
          "jetty.threadPool.maxThreads=8", "jetty.threadPool.reservedThreads=0",
          "jetty.http.acceptQueueSize=4096"));
      process = new ProcessBuilder(command).directory(base.toFile()).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(base.resolve("server.log").toFile()))
          .start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new IOException("jetty exited: see " + base.resolve("server.log"));
        }
        try {
          HttpURLConnection health = (HttpURLConnection) URI.create(uri() + "/health").toURL()
              .openConnection();
          health.setConnectTimeout(1_000);
          health.setReadTimeout(5_000);
          if (health.getResponseCode() == 200) {
            return;
          }
        } catch (IOException e) {
          // not up yet
        }
        Thread.sleep(20);
      }
      throw new IOException("no /health 200 within 120 s: see " + base.resolve("server.log"));
    }

    /** SIGTERM, as a clean stop; SIGKILL after 30 s. */
    void stop() {
      if (process == null) {
        return;
      }
      process.destroy();
      try {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
      process = null;
    }

    void kill() throws InterruptedException {
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      process = null;
    }
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
