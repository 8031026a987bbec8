package org.playcounter.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.playcounter.http.ServletContainer;
import org.playcounter.store.Concurrently;

/**
 * The client's retries against a real server behind {@link DroppingProxy}, which loses the answer
 * to the first attempt of every call after the server did the work: with idempotency keys every
 * count is still exact.
 */
class RetryIT {
  @TempDir
  Path dataDir;

  @Test
  void tenThousandIncrementsWhoseFirstAnswerIsLostCountOnce() throws Exception {
    try (ServletContainer jetty = ServletContainer.start(ServletContainer.Kind.JETTY_12_1,
        Map.of(), "/");
        DroppingProxy proxy = new DroppingProxy(jetty.uri("/"))) {
      PlayCounterClient client = PlayCounterClient.builder().servers(proxy.uri())
          .retryBackoff(Duration.ofMillis(1)).build();
      Map<String, AtomicLong> sent = new ConcurrentHashMap<>();
      Concurrently.run(8, thread -> {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < 1_250; i++) {
          String song = "r" + random.nextInt(50);
          if (i % 50 == 0) { // a bulk add now and then, its answer lost too
            client.add(Map.of(song, 3L));
            sent.computeIfAbsent(song, s -> new AtomicLong()).addAndGet(3);
          }
          client.increment(song);
          sent.computeIfAbsent(song, s -> new AtomicLong()).incrementAndGet();
        }
      });
      Map<String, Long> expected = new HashMap<>();
      sent.forEach((song, n) -> expected.put(song, n.get()));
      assertEquals(expected, PlayCounterClient.builder().servers(jetty.uri("/")).build()
          .counts());
      assertTrue(proxy.dropped.get() >= 10_000, "every call lost its first answer: "
          + proxy.dropped.get());
    }
  }

  @Test
  void aPlayAcknowledgedThenLostToASigkillIsCountedOnceAfterTheRetry() throws Exception {
    Map<String, String> settings = Map.of("playcounter.data-dir", dataDir.toString(),
        "playcounter.fsync", "always");
    List<ServletContainer> started = new CopyOnWriteArrayList<>();
    AtomicReference<ServletContainer> server = new AtomicReference<>(
        ServletContainer.start(ServletContainer.Kind.JETTY_12_1, settings, "/"));
    started.add(server.get());
    try (DroppingProxy proxy = new DroppingProxy(server.get().uri("/"))) {
      AtomicReference<Exception> restartFailed = new AtomicReference<>();
      // The server answered (on disk: fsync=always): kill it before the answer gets through,
      // and start it again from the directory while the client retries.
      proxy.onDrop = () -> {
        try {
          server.get().kill();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        Thread restart = new Thread(() -> {
          try {
            server.set(ServletContainer.start(ServletContainer.Kind.JETTY_12_1, settings, "/"));
            started.add(server.get());
            proxy.upstream(server.get().uri("/"));
          } catch (IOException | RuntimeException e) {
            restartFailed.set(e);
          }
        });
        restart.start();
      };
      PlayCounterClient client = PlayCounterClient.builder().servers(proxy.uri())
          .requestTimeout(Duration.ofSeconds(90)).build();
      for (int round = 1; round <= 3; round++) {
        assertEquals(round, client.increment("k"), "round " + round);
        assertEquals(round, client.count("k"));
      }
      assertEquals(null, restartFailed.get());
      assertEquals(3, proxy.dropped.get());
      assertEquals(Map.of("k", 3L), client.counts());
      assertEquals(List.of(), client.pendingDrains());
    } finally {
      started.forEach(ServletContainer::close);
    }
  }
}
