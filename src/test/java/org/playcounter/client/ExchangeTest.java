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
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
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
 * {@link Exchange} through the client against fake servers: a 409 with {@code Retry-After} to
 * one's own key is waited out within the call's deadline, and a server that stalls mid-body
 * costs one bounded attempt, its connection closed.
 */
class ExchangeTest {
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
   * The reviewed case: the first attempt times out while the server waits for its fsync, the
   * next two get 409 "still being processed", the fourth gets the play's answer.
   */
  @Test
  void aPlayStillBeingProcessedIsWaitedForAndCountedOnce() {
    List<String> keys = new CopyOnWriteArrayList<>();
    CountDownLatch answered = new CountDownLatch(1);
    URI server = start(exchange -> {
      keys.add(exchange.getRequestHeaders().getFirst("Idempotency-Key"));
      switch (keys.size()) {
        case 1 -> {
          await(answered); // the fsync that outlasts the client's requestTimeout
          answer(exchange, 200, "1");
        }
        case 2, 3 -> {
          exchange.getResponseHeaders().set("Retry-After", "1");
          answer(exchange, 409, IN_PROGRESS);
        }
        default -> {
          answered.countDown();
          exchange.getResponseHeaders().set("Idempotent-Replayed", "true");
          answer(exchange, 200, "1");
        }
      }
    });
    PlayCounterClient client = PlayCounterClient.builder().servers(server)
        .requestTimeout(Duration.ofSeconds(2)).build();
    assertEquals(1, bounded(() -> client.increment("s")));
    assertEquals(4, keys.size(), keys.toString());
    assertEquals(1, Set.copyOf(keys).size(), "one key for every attempt: " + keys);
  }

  @Test
  void aWriteStillInProgressWhenItsTimeIsUpMayOrMayNotHaveBeenCounted() {
    AtomicInteger requests = new AtomicInteger();
    URI server = start(exchange -> {
      requests.incrementAndGet();
      exchange.getResponseHeaders().set("Retry-After", "1");
      answer(exchange, 409, IN_PROGRESS);
    });
    PlayCounterClient client = PlayCounterClient.builder().servers(server)
        .requestTimeout(Duration.ofSeconds(1)).maxRetries(1).build();
    PlayCounterException e = assertThrows(PlayCounterException.class,
        () -> bounded(() -> client.increment("s")));
    assertEquals(-1, e.status(), e.getMessage());
    assertTrue(e.getMessage().contains("the change may or may not have been counted"),
        e.getMessage());
    assertTrue(e.getMessage().contains("still being processed (409) 2 times"), e.getMessage());
    assertEquals(2, requests.get());
  }

  @Test
  void a409WithoutRetryAfterIsTheAnswer() {
    AtomicInteger requests = new AtomicInteger();
    URI server = start(exchange -> {
      requests.incrementAndGet();
      answer(exchange, 409, "count of song s would overflow 64 bits");
    });
    PlayCounterException e = assertThrows(PlayCounterException.class,
        () -> new PlayCounterClient(List.of(server)).increment("s"));
    assertEquals(409, e.status());
    assertEquals(1, requests.get());
  }

  @Test
  void drainWaitsOutItsOwnPostStillInProgressAndReturnsTheDrain() {
    AtomicInteger posts = new AtomicInteger();
    URI server = start(exchange -> {
      if (exchange.getRequestMethod().equals("GET")) {
        answer(exchange, 200, ""); // no pending drain yet
      } else if (posts.incrementAndGet() == 1) {
        exchange.getResponseHeaders().set("Retry-After", "1");
        answer(exchange, 409, IN_PROGRESS);
      } else {
        exchange.getResponseHeaders().set("Location", "/drains/12");
        answer(exchange, 201, "a=1,b=2");
      }
    });
    PlayCounterClient client = new PlayCounterClient(List.of(server));
    assertEquals(List.of(new PendingDrain(server, 12, Map.of("a", 1L, "b", 2L))),
        bounded(client::drain));
  }

  @Test
  void aServerThatStallsMidBodyFailsTheCallAndItsConnectionIsClosed() throws Exception {
    StallingServer stalled = stalling();
    PlayCounterClient client = PlayCounterClient.builder().servers(stalled.uri())
        .requestTimeout(Duration.ofSeconds(1)).build();
    PlayCounterException e = assertThrows(PlayCounterException.class,
        () -> bounded(() -> client.count("s")));
    assertEquals(-1, e.status());
    assertTrue(e.reason().contains("no complete answer within 1000 ms, its body included"),
        e.reason());
    assertEquals(1, stalled.requests.get());
    awaitClosed(stalled, 1);
  }

  @Test
  void aKeyedWriteToAStalledServerIsTriedAgainThenMayOrMayNotHaveBeenCounted() {
    StallingServer stalled = stalling();
    PlayCounterClient client = PlayCounterClient.builder().servers(stalled.uri())
        .requestTimeout(Duration.ofSeconds(1)).maxRetries(1).build();
    PlayCounterException e = assertThrows(PlayCounterException.class,
        () -> bounded(() -> client.createDrain(stalled.uri())));
    assertTrue(e.getMessage().contains("sent 2 times with the same Idempotency-Key"),
        e.getMessage());
    assertTrue(e.getMessage().contains("may or may not have been counted"), e.getMessage());
    assertEquals(2, stalled.requests.get());
  }

  @Test
  void countsAndDrainAllNameTheStalledServerAndKeepTheOthersAnswers() {
    StallingServer stalled = stalling();
    URI healthy = start(exchange -> {
      exchange.getResponseHeaders().set("Preference-Applied", "return=representation");
      answer(exchange, 200, "a=3");
    });
    PlayCounterClient client = PlayCounterClient.builder().servers(stalled.uri(), healthy)
        .requestTimeout(Duration.ofSeconds(1)).build();
    for (Supplier<Map<String, Long>> call : List.<Supplier<Map<String, Long>>>of(
        client::counts, client::drainAll)) {
      PlayCounterException e = assertThrows(PlayCounterException.class, () -> bounded(call));
      assertEquals(Set.of(stalled.uri()), e.failures().keySet());
      assertEquals(Map.of("a", 3L), e.partialResults());
      assertEquals(Map.of(healthy, Map.of("a", 3L)), e.serverResults());
    }
  }

  /** Runs {@code call}, failing the test if it has not ended in 60 s: it must never hang. */
  private static <T> T bounded(Supplier<T> call) {
    CompletableFuture<T> running = CompletableFuture.supplyAsync(call);
    try {
      return running.get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException failure) {
        throw failure;
      }
      throw new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      return fail("the call hung for 60 s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fail("interrupted");
    }
  }

  /** Waits, at most 60 s, until the client closed {@code n} connections to {@code server}. */
  private static void awaitClosed(StallingServer server, int n) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (server.closedByClient.get() < n && System.nanoTime() < end) {
      Thread.sleep(20);
    }
    assertEquals(n, server.closedByClient.get(), "connections the client closed");
  }

  private StallingServer stalling() {
    try {
      StallingServer server = new StallingServer();
      stalling.add(server);
      return server;
    } catch (IOException e) {
      throw new IllegalStateException(e);
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

  private static void await(CountDownLatch latch) {
    try {
      latch.await(60, TimeUnit.SECONDS);
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
