package org.playcounter.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.io.entity.EntityUtils;

/**
 * The HTTP client libraries side by side: one play ({@code POST /song/{random of 100,000}} with
 * an {@code Idempotency-Key}, as the client sends it) a call, from 1, 8 and 64 threads, over at
 * most 64 keep-alive connections in every library; and a raw socket per thread as the floor of
 * what any library can cost.
 *
 * <p>Run by {@code src/bench/transports.sh}, which puts the libraries on the class path:
 * {@code java -cp LIBS Transports.java URL SECONDS WARMUP [TRANSPORT THREADS]}; with the last two
 * it runs only that one and records its measured phase with JFR into the file that the system
 * property {@code jfr.out} names. It refuses any server not on the loopback interface.
 */
public final class Transports {
  private static final int CONNECTIONS = 64;
  private static final com.sun.management.OperatingSystemMXBean CPU =
      (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
          .getOperatingSystemMXBean();

  /** One blocking play through one library; each is thread-safe except where it says so. */
  @FunctionalInterface
  private interface Play {
    int post(String path) throws Exception;
  }

  public static void main(String[] args) throws Exception {
    URI server = URI.create(args[0]);
    Duration phase = Duration.ofSeconds(Long.parseLong(args[1]));
    Duration warm = Duration.ofSeconds(Long.parseLong(args[2]));
    if (!InetAddress.getByName(server.getHost()).isLoopbackAddress()) {
      throw new IllegalArgumentException("not a loopback server: " + server);
    }
    Map<String, Play> transports = transports(server);
    if (args.length > 4) {
      Play only = transports.get(args[3]);
      run(only, warm, Integer.parseInt(args[4]));
      // recorded after the warm-up only, to the file the property names (a profile, as JFR's)
      try (jdk.jfr.Recording recording = new jdk.jfr.Recording(
          jdk.jfr.Configuration.getConfiguration("profile"))) {
        // every park, however short: the hand-offs between threads are microseconds each
        recording.enable("jdk.ThreadPark").withThreshold(Duration.ZERO).withStackTrace();
        recording.start();
        report(args[3], Integer.parseInt(args[4]), run(only, phase, Integer.parseInt(args[4])));
        recording.stop();
        recording.dump(java.nio.file.Path.of(System.getProperty("jfr.out")));
      }
      System.exit(0);
    }
    for (Map.Entry<String, Play> transport : transports.entrySet()) {
      run(transport.getValue(), warm, 64);
      for (int threads : new int[] {1, 8, 64}) {
        report(transport.getKey(), threads, run(transport.getValue(), phase, threads));
      }
    }
    System.exit(0); // the libraries' own threads are not all daemons
  }

  private static Map<String, Play> transports(URI server) throws Exception {
    Map<String, Play> all = new LinkedHashMap<>();
    HttpClient jdk = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    all.put("jdk-send-async", path -> jdk.sendAsync(jdkRequest(server, path),
        HttpResponse.BodyHandlers.ofString()).join().statusCode());
    all.put("jdk-send", path -> jdk.send(jdkRequest(server, path),
        HttpResponse.BodyHandlers.ofString()).statusCode());
    CloseableHttpClient hc5 = HttpClients.custom().setConnectionManager(
        PoolingHttpClientConnectionManagerBuilder.create().setMaxConnPerRoute(CONNECTIONS)
            .setMaxConnTotal(CONNECTIONS).build()).disableAutomaticRetries().build();
    all.put("apache-hc5-classic", path -> {
      HttpPost post = new HttpPost(server.resolve(path));
      post.setHeader("Idempotency-Key", UUID.randomUUID().toString());
      return hc5.execute(post, response -> {
        EntityUtils.consume(response.getEntity());
        return response.getCode();
      });
    });
    org.eclipse.jetty.client.HttpClient jetty = new org.eclipse.jetty.client.HttpClient();
    jetty.setMaxConnectionsPerDestination(CONNECTIONS);
    jetty.start();
    all.put("jetty-client", path -> jetty.POST(server.resolve(path))
        .headers(headers -> headers.put("Idempotency-Key", UUID.randomUUID().toString()))
        .timeout(30, TimeUnit.SECONDS).send().getStatus());
    okhttp3.OkHttpClient ok = new okhttp3.OkHttpClient.Builder()
        .connectionPool(new okhttp3.ConnectionPool(CONNECTIONS, 5, TimeUnit.MINUTES)).build();
    all.put("okhttp", path -> {
      okhttp3.Request request = new okhttp3.Request.Builder().url(server.resolve(path).toString())
          .header("Idempotency-Key", UUID.randomUUID().toString())
          .post(okhttp3.RequestBody.create(new byte[0], null)).build();
      try (okhttp3.Response response = ok.newCall(request).execute()) {
        response.body().bytes();
        return response.code();
      }
    });
    ThreadLocal<RawConnection> raw = ThreadLocal.withInitial(() -> new RawConnection(server));
    all.put("raw-socket", path -> raw.get().post(path));
    return all;
  }

  private static HttpRequest jdkRequest(URI server, String path) {
    return HttpRequest.newBuilder(server.resolve(path))
        .header("Idempotency-Key", UUID.randomUUID().toString())
        .POST(HttpRequest.BodyPublishers.noBody()).build();
  }

  private static long[] run(Play play, Duration length, int threads) throws Exception {
    AtomicLong calls = new AtomicLong();
    CountDownLatch start = new CountDownLatch(1);
    long end = System.nanoTime() + length.toNanos() + TimeUnit.MILLISECONDS.toNanos(50);
    List<Thread> running = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread worker = new Thread(() -> {
        long n = 0;
        try {
          start.await();
          while (System.nanoTime() < end) {
            int status = play.post("/song/" + (1 + ThreadLocalRandom.current().nextInt(100_000)));
            if (status != 200) {
              throw new IllegalStateException("status " + status);
            }
            n++;
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        calls.addAndGet(n);
      });
      running.add(worker);
      worker.start();
    }
    long cpu = CPU.getProcessCpuTime();
    long begun = System.nanoTime();
    start.countDown();
    for (Thread worker : running) {
      worker.join();
    }
    return new long[] {calls.get(), System.nanoTime() - begun, CPU.getProcessCpuTime() - cpu};
  }

  /**
   * A phase's calls a second, and the CPU time the whole client process spent a call (user and
   * kernel, every thread of it): what a library costs where the load runs on one core.
   */
  private static void report(String transport, int threads, long[] result) {
    System.out.printf("measured  %-24s %2d threads %,12.0f calls/s %7.1f us CPU a call%n",
        transport, threads, result[0] / (result[1] / 1e9), result[2] / 1e3 / result[0]);
  }

  /** One keep-alive connection written and read by hand: one thread's, never shared. */
  private static final class RawConnection {
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final String host;

    RawConnection(URI server) {
      try {
        socket = new Socket(server.getHost(), server.getPort());
        socket.setTcpNoDelay(true);
        out = socket.getOutputStream();
        in = new BufferedInputStream(socket.getInputStream());
        host = server.getHost() + ":" + server.getPort();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    int post(String path) throws IOException {
      out.write(("POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\nIdempotency-Key: "
          + UUID.randomUUID() + "\r\nContent-Length: 0\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String status = line();
      int length = 0;
      for (String header = line(); !header.isEmpty(); header = line()) {
        if (header.regionMatches(true, 0, "Content-Length:", 0, 15)) {
          length = Integer.parseInt(header.substring(15).strip());
        }
      }
      in.readNBytes(length);
      return Integer.parseInt(status.substring(9, 12));
    }

    private String line() throws IOException {
      StringBuilder line = new StringBuilder();
      for (int c = in.read(); c != '\n'; c = in.read()) {
        if (c < 0) {
          throw new IOException("connection closed");
        }
        if (c != '\r') {
          line.append((char) c);
        }
      }
      return line.toString();
    }
  }
}
