package org.playcounter.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.playcounter.http.StallingServer;

/**
 * {@link Exchange}'s time budget against hostile or odd answers: a Retry-After of centuries or of
 * zero, a cancelled call, a request timeout of a century. Found by an adversarial review; on the
 * code before it, each of these hung, failed with "long overflow", hammered the server, kept
 * retrying after a cancel, or sent nothing.
 */
class ExchangeDeadlineTest {
  private static final String IN_PROGRESS = "the first request with this Idempotency-Key is still"
      + " being processed; send it again later for its answer";

  private final List<HttpServer> servers = new ArrayList<>();
  private final List<ExecutorService> executors = new ArrayList<>();
  private final List<StallingServer> stalling = new ArrayList<>();

  @AfterEach
  void stopServers() throws IOException {
    servers.forEach(server -> server.stop(0));
    executors.forEach(ExecutorService::shutdownNow);
    for (StallingServer server : stalling) {
      server.close();
    }
  }

  /**
   * Retry-After of 9223372036 s: wait.toNanos() fits in a long, but nanoTime() + it overflows to
   * a negative number, so later()'s "past the deadline?" check is false and the next attempt is
   * scheduled 292 years out: the call never ends, its 1 s budget notwithstanding.
   */
  @Test
  void aRetryAfterOfCenturiesEndsTheCallWithinItsTime() {
    URI server = start(exchange -> {
      exchange.getResponseHeaders().set("Retry-After", "9223372036");
      answer(exchange, 409, IN_PROGRESS);
    });
    PlayCounterClient client = PlayCounterClient.builder().servers(server)
        .requestTimeout(Duration.ofSeconds(1)).maxRetries(0).build();
    PlayCounterException e = assertThrows(PlayCounterException.class,
        () -> bounded(10, () -> client.increment("s")));
    assertTrue(e.getMessage().contains("may or may not have been counted"), e.getMessage());
  }

  /**
   * Retry-After of 10^10 s (or an HTTP-date ~300+ years out): Duration.toNanos() throws
   * ArithmeticException, which becomes the call's failure: "long overflow", not "may or may not
   * have been counted".
   */
  @Test
  void aRetryAfterPastTheNanosecondRangeMayOrMayNotHaveBeenCounted() {
    URI server = start(exchange -> {
      exchange.getResponseHeaders().set("Retry-After", "10000000000");
      answer(exchange, 409, IN_PROGRESS);
    });
    PlayCounterClient client = PlayCounterClient.builder().servers(server)
        .requestTimeout(Duration.ofSeconds(1)).maxRetries(0).build();
    PlayCounterException e = assertThrows(PlayCounterException.class,
        () -> bounded(10, () -> client.increment("s")));
    assertTrue(e.getMessage().contains("may or may not have been counted"), e.getMessage());
  }

  /**
   * Retry-After: 0 (or negative, or unreadable, or a past HTTP-date) is a zero wait: the client
   * re-sends back to back, with no floor and no backoff, for the whole budget
   * ((1 + maxRetries) x requestTimeout, 90 s by default).
   */
  @Test
  void aZeroRetryAfterWaitsAtLeastTheGrowingBackoff() {
    AtomicInteger requests = new AtomicInteger();
    URI server = start(exchange -> {
      requests.incrementAndGet();
      exchange.getResponseHeaders().set("Retry-After", "0");
      answer(exchange, 409, IN_PROGRESS);
    });
    PlayCounterClient client = PlayCounterClient.builder().servers(server)
        .requestTimeout(Duration.ofSeconds(1)).maxRetries(0)
        .retryBackoff(Duration.ofMillis(400)).build();
    assertThrows(PlayCounterException.class, () -> bounded(10, () -> client.increment("s")));
    // Against this JDK HttpServer a round trip costs ~50 ms (Nagle); against Jetty far less.
    assertTrue(requests.get() <= 5, requests.get() + " requests within the 1 s budget, though"
        + " the client's own retry backoff is 400 ms");
  }

  /**
   * Cancelling the future of incrementAsync does not reach the Exchange (thenApply's dependent is
   * cancelled, not its source): the attempt stays on the wire until its timeout, then the client
   * sends a retry nobody waits for.
   */
  @Test
  void cancellingAnAsyncCallStopsItsRetries() throws Exception {
    StallingServer stalled = new StallingServer();
    stalling.add(stalled);
    PlayCounterClient client = PlayCounterClient.builder().servers(stalled.uri())
        .requestTimeout(Duration.ofSeconds(1)).maxRetries(1).build();
    CompletableFuture<Long> play = client.incrementAsync("s");
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (stalled.requests.get() < 1 && System.nanoTime() < end) {
      Thread.sleep(10);
    }
    assertTrue(play.cancel(true));
    Thread.sleep(2_500);
    assertEquals(1, stalled.requests.get(), "requests sent, the retries after cancel included");
  }

  /**
   * requestTimeout of 100 years (a caller's "no timeout"): (1 + maxRetries) x its nanos overflows
   * and the deadline lies in the past, so a healthy server is never even asked.
   */
  @Test
  void aRequestTimeoutOfACenturyStillSendsTheCall() {
    AtomicInteger requests = new AtomicInteger();
    URI server = start(exchange -> {
      requests.incrementAndGet();
      answer(exchange, 200, "1");
    });
    PlayCounterClient client = PlayCounterClient.builder().servers(server)
        .requestTimeout(Duration.ofDays(36_500)).build();
    assertEquals(1L, bounded(10, () -> client.increment("s")));
  }

  private static <T> T bounded(int seconds, Supplier<T> call) {
    CompletableFuture<T> running = CompletableFuture.supplyAsync(call,
        runnable -> {
          Thread thread = new Thread(runnable, "bounded-call");
          thread.setDaemon(true);
          thread.start();
        });
    try {
      return running.get(seconds, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException failure) {
        throw failure;
      }
      throw new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      return fail("the call hung for " + seconds + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fail("interrupted");
    }
  }

  private URI start(HttpHandler handler) {
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

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void answer(HttpExchange exchange, int status, String body) throws IOException {
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
}
