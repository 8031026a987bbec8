package org.playcounter.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.playcounter.wire.CountsFormat;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fake counting playcounter servers for the fault tests, each on a free loopback port and
 * stopped after the test with every client and pool made here; registered as
 * {@code @RegisterExtension final CountingServers servers = new CountingServers();}. Unlike
 * {@link FakeServers}' handlers, a fake here counts as the service does ({@code /song/{id}},
 * bulk {@code POST /}, {@code GET /?id=}, {@code GET /}) and takes a {@link Hook} first.
 */
final class CountingServers implements AfterEachCallback {
  private static final Duration REQUEST_TIMEOUT = Duration.ofMillis(300);

  private final List<HttpServer> started = new CopyOnWriteArrayList<>();
  private final List<ExecutorService> pools = new CopyOnWriteArrayList<>();
  private final List<PlayCounterClient> clients = new CopyOnWriteArrayList<>();

  @Override
  public void afterEach(ExtensionContext context) {
    clients.forEach(PlayCounterClient::close);
    started.forEach(server -> server.stop(0));
    pools.forEach(ExecutorService::shutdownNow);
  }

  /** A pool of one daemon thread, shut down after the test. */
  ExecutorService oneThread() {
    ExecutorService pool = Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "review-one-thread");
      thread.setDaemon(true);
      return thread;
    });
    pools.add(pool);
    return pool;
  }

  /** A builder of short timeouts for {@code servers}. */
  static PlayCounterClientBuilder builder(URI... servers) {
    return PlayCounterClient.builder().servers(servers).requestTimeout(REQUEST_TIMEOUT)
        .connectTimeout(REQUEST_TIMEOUT).retryBackoff(Duration.ofMillis(20));
  }

  /** Builds the client, closed after the test. */
  PlayCounterClient client(PlayCounterClientBuilder builder) {
    PlayCounterClient client = builder.build();
    clients.add(client);
    return client;
  }

  /** A song id whose owner among {@code servers} is {@code owner}. */
  static String songOwnedBy(URI owner, List<URI> servers) {
    RendezvousRouter router = new RendezvousRouter(servers);
    URI normalized = RendezvousRouter.normalize(owner);
    for (int i = 0; i < 10_000; i++) {
      String id = "s" + i;
      if (router.serverFor(id).equals(normalized)) {
        return id;
      }
    }
    throw new IllegalStateException("no song for " + owner);
  }

  /** A loopback port nothing listens on: connections to it are refused. */
  static URI deadPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static void send(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain;charset=UTF-8");
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** Takes a request before the fake's own playcounter handling; true when it answered. */
  @FunctionalInterface
  interface Hook {
    boolean handle(HttpExchange exchange, String method, String target, String body)
        throws IOException;
  }

  /** A fake playcounter server: /song/{id} GET POST DELETE, POST / bulk, GET /?id=, GET /. */
  /** A new fake server, stopped after the test. */
  Fake fake() {
    return new Fake(started, pools);
  }

  static final class Fake {
    final URI uri;
    final List<String> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Long> counts = new LinkedHashMap<>();
    volatile Hook hook;

    private Fake(List<HttpServer> started, List<ExecutorService> pools) {
      try {
        HttpServer server = HttpServer.create(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        ExecutorService pool = Executors.newCachedThreadPool(runnable -> {
          Thread thread = new Thread(runnable, "review-fake");
          thread.setDaemon(true);
          return thread;
        });
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
        started.add(server);
        pools.add(pool);
        uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    synchronized long count(String id) {
      return counts.getOrDefault(id, 0L);
    }

    synchronized void set(String id, long count) {
      counts.put(id, count);
    }

    synchronized long add(String id, long plays) {
      return counts.merge(id, plays, Long::sum);
    }

    private void handle(HttpExchange exchange) throws IOException {
      try {
        String body = new String(exchange.getRequestBody().readAllBytes(),
            StandardCharsets.UTF_8);
        String method = exchange.getRequestMethod();
        String query = exchange.getRequestURI().getRawQuery();
        String path = exchange.getRequestURI().getRawPath();
        String target = path + (query == null ? "" : "?" + query);
        requests.add(method + " " + target);
        Hook first = hook;
        if (first != null && first.handle(exchange, method, target, body)) {
          return;
        }
        if (path.startsWith("/song/")) {
          String id = path.substring("/song/".length());
          long count;
          synchronized (this) {
            count = switch (method) {
              case "POST" -> add(id, 1);
              case "DELETE" -> {
                Long removed = counts.remove(id);
                yield removed == null ? 0 : removed;
              }
              default -> count(id);
            };
          }
          send(exchange, 200, Long.toString(count));
        } else if (path.equals("/") && method.equals("POST")) {
          Map<String, Long> plays = CountsFormat.TEXT.parse(body, CountsFormat.MAX_BULK_COUNT);
          List<String> pairs = new ArrayList<>();
          synchronized (this) {
            plays.forEach((id, n) -> pairs.add(id + "=" + add(id, n)));
          }
          send(exchange, 200, String.join(",", pairs));
        } else if (path.equals("/") && method.equals("GET") && query != null) {
          List<String> pairs = new ArrayList<>();
          for (String part : query.split("&")) {
            String id = part.substring("id=".length());
            pairs.add(id + "=" + count(id));
          }
          send(exchange, 200, String.join(",", pairs));
        } else if (path.equals("/") && method.equals("GET")) {
          List<String> pairs = new ArrayList<>();
          synchronized (this) {
            counts.forEach((id, n) -> pairs.add(id + "=" + n));
          }
          send(exchange, 200, String.join(",", pairs));
        } else {
          send(exchange, 404, "not found");
        }
      } catch (Exception e) {
        try {
          send(exchange, 500, "fake: " + e);
        } catch (IOException | RuntimeException ignored) {
          // the answer was on its way already
        }
      } finally {
        exchange.close();
      }
    }
  }
}
