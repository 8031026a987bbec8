package org.playcounter.client;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fake counter servers for one test, made of the JDK's own {@link HttpServer}, each on a free
 * loopback port with a thread per exchange, and all stopped after the test; registered as
 * {@code @RegisterExtension final FakeServers servers = new FakeServers();}. Thread-safe.
 */
final class FakeServers implements AfterEachCallback {
  private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
  private final List<ExecutorService> executors = new CopyOnWriteArrayList<>();

  /** Starts a server that answers every request with {@code handler}, and returns its URI. */
  URI start(HttpHandler handler) {
    try {
      HttpServer server = HttpServer.create(
          new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      ExecutorService executor = Executors.newCachedThreadPool();
      server.setExecutor(executor);
      server.createContext("/", handler);
      server.start();
      servers.add(server);
      executors.add(executor);
      return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads the request's body, then answers {@code status} with {@code body} as plain text. */
  /** A server that holds every request until {@code release} (at most 20 s), then answers 0. */
  URI holding(CountDownLatch release, AtomicInteger arrived) {
    return start(exchange -> {
      arrived.incrementAndGet();
      try {
        release.await(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      answer(exchange, 200, "0");
    });
  }

  /**
   * A server that counts as playcounter does on {@code /song/{id}} ({@code GET}, {@code POST},
   * {@code DELETE}) into {@code counts}, and answers 404 to anything else.
   */
  URI counting(Map<String, Long> counts) {
    return start(exchange -> {
      String path = exchange.getRequestURI().getPath();
      if (!path.startsWith("/song/")) {
        answer(exchange, 404, "not found");
        return;
      }
      String id = path.substring("/song/".length());
      long count;
      synchronized (counts) {
        count = switch (exchange.getRequestMethod()) {
          case "POST" -> counts.merge(id, 1L, Long::sum);
          case "DELETE" -> {
            Long removed = counts.remove(id);
            yield removed == null ? 0 : removed;
          }
          default -> counts.getOrDefault(id, 0L);
        };
      }
      answer(exchange, 200, Long.toString(count));
    });
  }

  /** Waits up to 10 s for {@code counter} to reach {@code n}, failing the test if it does not. */
  static void awaitCount(AtomicInteger counter, int n) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (counter.get() < n && System.nanoTime() < end) {
      Thread.sleep(5);
    }
    assertTrue(counter.get() >= n, "the server got " + counter.get() + " of " + n + " requests");
  }

  static void answer(HttpExchange exchange, int status, String body) throws IOException {
    try (InputStream in = exchange.getRequestBody()) {
      in.readAllBytes();
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain;charset=UTF-8");
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    servers.forEach(server -> server.stop(0));
    executors.forEach(ExecutorService::shutdownNow);
    servers.clear();
    executors.clear();
  }
}
