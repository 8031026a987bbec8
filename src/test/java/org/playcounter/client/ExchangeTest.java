package org.playcounter.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.playcounter.client.FakeServers.answer;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.playcounter.http.FreePort;
import org.playcounter.http.StallingServer;

/**
 * {@link Exchange} through the client against fake servers: a 409 with {@code Retry-After} to
 * one's own key is waited out within the call's deadline, and a server that stalls mid-body
 * costs one bounded attempt, its connection closed; the time budget holds against a Retry-After
 * of centuries or of zero, a cancelled call and a request timeout of a century (found by an
 * adversarial review: before it, these hung, failed with "long overflow", hammered the server,
 * retried after a cancel, or sent nothing).
 */
class ExchangeTest {
  private static final String IN_PROGRESS = "the first request with this Idempotency-Key is still"
      + " being processed; send it again later for its answer";

  @RegisterExtension
  final FakeServers servers = new FakeServers();
  private final List<StallingServer> stalling = new ArrayList<>();

  @AfterEach
  void stopStallingServers() throws IOException {
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
    URI server = servers.start(exchange -> {
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
    URI server = stillInProgress("1", requests);
    PlayCounterClient client = PlayCounterClient.builder().servers(server)
        .requestTimeout(Duration.ofSeconds(1)).retryFor(Duration.ofSeconds(1)).build();
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
    URI server = servers.start(exchange -> {
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
    URI server = servers.start(exchange -> {
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
        .requestTimeout(Duration.ofSeconds(1)).retryFor(Duration.ZERO).build();
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
    assertTrue(e.mayHaveCounted(), "each attempt reached the server");
    assertEquals(2, stalled.requests.get());
  }

  @Test
  void countsAndDrainAllNameTheStalledServerAndKeepTheOthersAnswers() {
    StallingServer stalled = stalling();
    URI healthy = servers.start(exchange -> {
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

  /**
   * Retry-After of 9223372036 s: wait.toNanos() fits in a long, but nanoTime() + it overflows to
   * a negative number, so later()'s "past the deadline?" check is false and the next attempt is
   * scheduled 292 years out: the call never ends, its 1 s budget notwithstanding.
   */
  @Test
  void aRetryAfterOfCenturiesEndsTheCallWithinItsTime() {
    anIncrementOutOfTimeMayOrMayNotHaveBeenCounted("9223372036");
  }

  /**
   * Retry-After of 10^10 s (or an HTTP-date ~300+ years out): Duration.toNanos() throws
   * ArithmeticException, which becomes the call's failure: "long overflow", not "may or may not
   * have been counted".
   */
  @Test
  void aRetryAfterPastTheNanosecondRangeMayOrMayNotHaveBeenCounted() {
    anIncrementOutOfTimeMayOrMayNotHaveBeenCounted("10000000000");
  }

  /**
   * Retry-After: 0 (or negative, or unreadable, or a past HTTP-date) is a zero wait: the client
   * re-sends back to back, with no floor and no backoff, for the whole budget (retryFor, 30 s
   * by default).
   */
  @Test
  void aZeroRetryAfterWaitsAtLeastTheGrowingBackoff() {
    AtomicInteger requests = new AtomicInteger();
    URI server = stillInProgress("0", requests);
    PlayCounterClient client = PlayCounterClient.builder().servers(server)
        .requestTimeout(Duration.ofSeconds(1)).retryFor(Duration.ofSeconds(1))
        .retryBackoff(Duration.ofMillis(400)).build();
    assertThrows(PlayCounterException.class, () -> bounded(() -> client.increment("s")));
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
    StallingServer stalled = stalling();
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
   * requestTimeout of 100 years (a caller's "no timeout"): its nanos overflow a long, which must
   * not put the attempt's end in the past, so that a healthy server is still asked.
   */
  @Test
  void aRequestTimeoutOfACenturyStillSendsTheCall() {
    AtomicInteger requests = new AtomicInteger();
    URI server = servers.start(exchange -> {
      requests.incrementAndGet();
      answer(exchange, 200, "1");
    });
    PlayCounterClient client = PlayCounterClient.builder().servers(server)
        .requestTimeout(Duration.ofDays(36_500)).build();
    assertEquals(1L, bounded(() -> client.increment("s")));
  }

  /** A server that answers 503 for its first second, as one restarting would: reads wait. */
  @Test
  void aReadAndAPlayRideThroughAServerThatRefusesForASecond() {
    long up = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
    AtomicInteger requests = new AtomicInteger();
    URI server = servers.start(exchange -> {
      requests.incrementAndGet();
      answer(exchange, System.nanoTime() < up ? 503 : 200, System.nanoTime() < up
          ? "storage failed: restarting" : "7");
    });
    PlayCounterClient client = PlayCounterClient.builder().servers(server)
        .retryFor(Duration.ofSeconds(10)).build();
    assertEquals(7L, bounded(() -> client.count("s")));
    assertEquals(7L, bounded(() -> client.increment("s")));
    assertTrue(requests.get() >= 3, requests + " requests: the first second's were retried");
  }

  /** A server that never answers: the call goes on for retryFor, then fails naming it. */
  @Test
  void aCallToAServerThatIsDownFailsOnceRetryForHasPassed() {
    URI dead = URI.create("http://127.0.0.1:" + FreePort.next());
    PlayCounterClient client = PlayCounterClient.builder().servers(dead)
        .retryFor(Duration.ofSeconds(1)).build();
    long start = System.nanoTime();
    PlayCounterException e = assertThrows(PlayCounterException.class,
        () -> bounded(() -> client.increment("s")));
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertTrue(millis >= 1_000 && millis < 10_000, "failed after " + millis + " ms");
    assertEquals(dead, e.server());
    assertTrue(e.reason().contains("with the same Idempotency-Key within 1000 ms (retryFor)")
        && e.reason().contains("never reached the server, so not counted"), e.reason());
    assertFalse(e.mayHaveCounted(), "every connection was refused");
    PlayCounterException read = assertThrows(PlayCounterException.class,
        () -> bounded(() -> client.count("s")));
    assertTrue(read.reason().contains("within 1000 ms (retryFor), never answered)")
        && !read.reason().contains("counted"), read.reason());
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

  /** With every answer 409 and {@code retryAfter}, an increment ends, maybe counted. */
  private void anIncrementOutOfTimeMayOrMayNotHaveBeenCounted(String retryAfter) {
    URI server = stillInProgress(retryAfter, new AtomicInteger());
    PlayCounterClient client = PlayCounterClient.builder().servers(server)
        .requestTimeout(Duration.ofSeconds(1)).retryFor(Duration.ofSeconds(1)).build();
    PlayCounterException e = assertThrows(PlayCounterException.class,
        () -> bounded(() -> client.increment("s")));
    assertTrue(e.getMessage().contains("may or may not have been counted"), e.getMessage());
  }

  /**
   * A server that answers every request that the key's first request is still being processed,
   * with {@code retryAfter}, and counts the requests in {@code requests}.
   */
  private URI stillInProgress(String retryAfter, AtomicInteger requests) {
    return servers.start(exchange -> {
      requests.incrementAndGet();
      exchange.getResponseHeaders().set("Retry-After", retryAfter);
      answer(exchange, 409, IN_PROGRESS);
    });
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

  private static void await(CountDownLatch latch) {
    try {
      latch.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
