package org.playcounter.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.playcounter.client.FakeServers.answer;
import static org.playcounter.client.FakeServers.awaitCount;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Batched plays against fake servers: each play's answer is its own, and a refusal costs only
 * what it must.
 */
class PlayBatchesTest {
  @RegisterExtension
  final FakeServers servers = new FakeServers();

  /** A bulk answer missing a song fails that song's plays only. */
  @Test
  void aBatchAnswerMissingASongFailsOnlyThatSongsPlays() throws Exception {
    URI server = servers.start(exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      answer(exchange, 200, body.contains("gone") ? "kept=7,extra=1" : "kept=7");
    });
    try (PlayCounterClient client = PlayCounterClient.builder().servers(server)
        .batching(Duration.ofMillis(200), 64).maxConnectionsPerServer(1).build()) {
      CompletableFuture<Long> lone = client.incrementAsync("kept"); // goes at once
      CompletableFuture<Long> kept = client.incrementAsync("kept");
      CompletableFuture<Long> gone = client.incrementAsync("gone");
      assertEquals(7, lone.get(10, TimeUnit.SECONDS));
      assertEquals(7, kept.get(10, TimeUnit.SECONDS));
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> gone.get(10, TimeUnit.SECONDS));
      assertTrue(e.getCause().getMessage().contains("no count of at least 1 for song gone"),
          e.getCause().getMessage());
    }
  }

  /** A batch refused for no reason of its plays (a 429) is not split into a request a play. */
  @Test
  void aBatchRefusedForAReasonOfNoSongIsNotSplitIntoARequestASong() throws Exception {
    AtomicInteger requests = new AtomicInteger();
    CountDownLatch first = new CountDownLatch(1);
    URI server = servers.start(exchange -> {
      if (requests.incrementAndGet() == 1) {
        try {
          first.await(10, TimeUnit.SECONDS); // holds the lone first play: the rest batch up
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        answer(exchange, 200, "lone=1");
        return;
      }
      answer(exchange, 429, "too many requests");
    });
    try (PlayCounterClient client = PlayCounterClient.builder().servers(server)
        .batching(Duration.ofSeconds(1), 64).build()) {
      CompletableFuture<Long> lone = client.incrementAsync("lone");
      awaitCount(requests, 1);
      List<CompletableFuture<Long>> batched = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        batched.add(client.incrementAsync("song" + i));
      }
      first.countDown();
      assertEquals(1, lone.get(10, TimeUnit.SECONDS));
      for (CompletableFuture<Long> play : batched) {
        ExecutionException e = assertThrows(ExecutionException.class,
            () -> play.get(10, TimeUnit.SECONDS));
        assertEquals(429, ((PlayCounterException) e.getCause()).status());
      }
      assertEquals(2, requests.get(), "requests for 1 + 50 plays refused with 429");
    }
  }

  /**
   * Of two batched plays of a song one short of 2^63-1, the first counts and the second is refused.
   */
  @Test
  void ofTwoBatchedPlaysOfASongOneShortOfTheMaxTheFirstCounts() throws Exception {
    AtomicInteger requests = new AtomicInteger();
    CountDownLatch first = new CountDownLatch(1);
    java.util.concurrent.atomic.AtomicLong full =
        new java.util.concurrent.atomic.AtomicLong(Long.MAX_VALUE - 1);
    URI server = servers.start(exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      String path = exchange.getRequestURI().getPath();
      if (path.startsWith("/song/")) { // one play alone, as POST /song/{id} counts it
        String id = path.substring("/song/".length());
        synchronized (full) {
          if (id.equals("full") && full.get() == Long.MAX_VALUE) {
            answer(exchange, 409, "count of song full would overflow 64 bits");
            return;
          }
          answer(exchange, 200, Long.toString(id.equals("full") ? full.incrementAndGet() : 1));
        }
        return;
      }
      if (requests.incrementAndGet() == 1) {
        try {
          first.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        answer(exchange, 200, "other=1");
        return;
      }
      StringBuilder out = new StringBuilder();
      long add = 0;
      for (String pair : body.strip().split(",")) {
        String[] idCount = pair.split("=");
        if (idCount[0].equals("full")) {
          add = Long.parseLong(idCount[1]);
        }
      }
      synchronized (full) {
        if (add > 0 && full.get() > Long.MAX_VALUE - add) {
          answer(exchange, 409, "count of song full would overflow 64 bits");
          return;
        }
        full.addAndGet(add);
      }
      for (String pair : body.strip().split(",")) {
        String id = pair.split("=")[0];
        out.append(out.length() == 0 ? "" : ",").append(id).append('=')
            .append(id.equals("full") ? full.get() : 1);
      }
      answer(exchange, 200, out.toString());
    });
    try (PlayCounterClient client = PlayCounterClient.builder().servers(server)
        .batching(Duration.ofSeconds(1), 64).build()) {
      CompletableFuture<Long> other = client.incrementAsync("other");
      awaitCount(requests, 1);
      CompletableFuture<Long> one = client.incrementAsync("full");
      CompletableFuture<Long> two = client.incrementAsync("full");
      first.countDown();
      assertEquals(1, other.get(10, TimeUnit.SECONDS));
      assertThrows(ExecutionException.class, () -> two.get(10, TimeUnit.SECONDS));
      try {
        assertEquals(Long.MAX_VALUE, one.get(10, TimeUnit.SECONDS));
      } catch (ExecutionException e) {
        fail("the play that fits failed with its batchmate: " + e.getCause().getMessage());
      }
    }
  }

}
