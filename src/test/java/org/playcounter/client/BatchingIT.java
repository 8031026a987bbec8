package org.playcounter.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.playcounter.http.ServletContainer;
import org.playcounter.store.Concurrently;
import org.playcounter.wire.CountsFormat;

/**
 * Batched plays against a real server (the built WAR in Jetty 12.1): each play's answer is the
 * count after its own play, exact and distinct, under racing threads, after lost answers, and
 * when one song of a batch is refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BatchingIT {
  private static final Duration LINGER = Duration.ofMillis(2);
  private ServletContainer jetty;
  private URI server;

  @BeforeAll
  void startServer() throws Exception {
    jetty = ServletContainer.start(ServletContainer.Kind.JETTY_12_1, Map.of(), "/");
    server = jetty.uri("/");
  }

  @AfterAll
  void stopServer() {
    jetty.close();
  }

  @BeforeEach
  void reset() {
    try (PlayCounterClient plain = PlayCounterClient.builder().servers(server).build()) {
      assertTrue(plain.resetAll());
    }
  }

  /**
   * 64 threads play ten songs for two seconds through one batching client: every song's answers
   * are exactly 1 ... its count, each once, and far fewer requests reached the server than plays.
   */
  @Test
  void batchedAnswersAreExactAndDistinctUnder64RacingThreads() throws Exception {
    Map<String, ConcurrentLinkedQueue<Long>> answers = new ConcurrentHashMap<>();
    double postsBefore = bulkPosts();
    try (PlayCounterClient client = PlayCounterClient.builder().servers(server)
        .batching(LINGER, 256).build()) {
      long end = System.nanoTime() + Duration.ofSeconds(2).toNanos();
      Concurrently.run(64, thread -> {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (System.nanoTime() < end) {
          String song = "b" + random.nextInt(10);
          long count = client.increment(song);
          answers.computeIfAbsent(song, s -> new ConcurrentLinkedQueue<>()).add(count);
        }
      });
      long plays = assertEachSongAnsweredOneToItsCount(client, answers);
      double posts = bulkPosts() - postsBefore;
      assertTrue(plays > 10_000 && posts < plays / 4.0,
          "64 threads' plays rode in batches: " + plays + " plays in " + posts + " requests");
    }
  }

  /** Every batch loses its first answer after the server added it; the retry counts once. */
  @Test
  void aBatchRetriedAfterALostAnswerCountsOnce() throws Exception {
    Map<String, ConcurrentLinkedQueue<Long>> answers = new ConcurrentHashMap<>();
    try (DroppingProxy proxy = new DroppingProxy(server);
        PlayCounterClient client = PlayCounterClient.builder().servers(proxy.uri())
            .retryBackoff(Duration.ofMillis(1)).batching(LINGER, 64).build()) {
      long end = System.nanoTime() + Duration.ofSeconds(2).toNanos();
      Concurrently.run(16, thread -> {
        List<CompletableFuture<Long>> pipelined = new ArrayList<>();
        List<String> songs = new ArrayList<>();
        while (System.nanoTime() < end) {
          for (int i = 0; i < 8; i++) { // incrementAsync rides the same batches
            songs.add("d" + ThreadLocalRandom.current().nextInt(20));
            pipelined.add(client.incrementAsync(songs.get(songs.size() - 1)));
          }
          for (int i = 0; i < pipelined.size(); i++) {
            answers.computeIfAbsent(songs.get(i), s -> new ConcurrentLinkedQueue<>())
                .add(pipelined.get(i).get());
          }
          pipelined.clear();
          songs.clear();
        }
      });
      assertEachSongAnsweredOneToItsCount(client, answers);
      assertTrue(proxy.dropped.get() >= 20, "answers were lost: " + proxy.dropped.get());
    }
  }

  /**
   * A song at the largest count rides with others: its plays fail alone with the server's 409,
   * and the other songs' plays, in the same batches, count with exact answers.
   */
  @Test
  void aSongThatWouldOverflowFailsAloneAndItsBatchmatesCount() throws Exception {
    try (PlayCounterClient client = PlayCounterClient.builder().servers(server)
        .batching(Duration.ofMillis(50), 64).build()) {
      for (int i = 0; i < 1023; i++) {
        client.add(Map.of("full", CountsFormat.MAX_BULK_COUNT));
      }
      client.add(Map.of("full", CountsFormat.MAX_BULK_COUNT - 1));
      assertEquals(Long.MAX_VALUE, client.count("full"));

      Map<String, ConcurrentLinkedQueue<Long>> answers = new ConcurrentHashMap<>();
      ConcurrentLinkedQueue<PlayCounterException> refused = new ConcurrentLinkedQueue<>();
      Concurrently.run(16, thread -> {
        for (int i = 0; i < 50; i++) {
          if (i % 5 == thread % 5) {
            refused.add(assertThrows(PlayCounterException.class,
                () -> client.increment("full")));
          } else {
            String song = "ok" + i % 7;
            answers.computeIfAbsent(song, s -> new ConcurrentLinkedQueue<>())
                .add(client.increment(song));
          }
        }
      });
      assertEquals(16 * 10, refused.size());
      for (PlayCounterException e : refused) {
        assertEquals(409, e.status(), e.getMessage());
      }
      assertEquals(Long.MAX_VALUE, client.count("full"));
      answers.keySet().forEach(song -> assertTrue(song.startsWith("ok")));
      assertEachSongAnsweredOneToItsCount(client, answers);
    }
  }

  /**
   * A song one play short of 2^63-1 gets two plays that ride in one batch, refused with 409: the
   * first counts (2^63-1) and only the second fails, as unbatched. The two are held together by
   * a proxy that delays the answer to the play in flight before them by 300 ms.
   */
  @Test
  void ofTwoBatchedPlaysOfASongOneShortOfTheMaxTheFirstCounts() throws Exception {
    try (PlayCounterClient plain = PlayCounterClient.builder().servers(server).build()) {
      for (int i = 0; i < 1023; i++) {
        plain.add(Map.of("full", CountsFormat.MAX_BULK_COUNT));
      }
      plain.add(Map.of("full", CountsFormat.MAX_BULK_COUNT - 2));
      assertEquals(Long.MAX_VALUE - 1, plain.count("full"));
    }
    AtomicBoolean delayed = new AtomicBoolean();
    try (DroppingProxy proxy = new DroppingProxy(server);
        PlayCounterClient client = PlayCounterClient.builder().servers(proxy.uri())
            .retryBackoff(Duration.ofMillis(1)).batching(Duration.ofSeconds(1), 64).build()) {
      proxy.onDrop = () -> {
        if (delayed.compareAndSet(false, true)) {
          try {
            Thread.sleep(300); // the play before them is in flight: the two batch up
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      };
      CompletableFuture<Long> before = client.incrementAsync("other");
      CompletableFuture<Long> first = client.incrementAsync("full");
      CompletableFuture<Long> second = client.incrementAsync("full");
      assertEquals(1, before.get(20, TimeUnit.SECONDS));
      try {
        second.get(20, TimeUnit.SECONDS);
        fail("2^63 is past the largest count");
      } catch (ExecutionException expected) {
        assertEquals(409, ((PlayCounterException) expected.getCause()).status());
      }
      try {
        assertEquals(Long.MAX_VALUE, first.get(20, TimeUnit.SECONDS));
      } catch (ExecutionException e) {
        fail("the play that fits failed with its batchmate: " + e.getCause().getMessage());
      }
    }
  }

  /**
   * Closing fails the plays still waiting in a batch, and they are not counted: of 100 plays
   * made at once, at most the first (sent alone) is on the wire when the client closes.
   */
  @Test
  void playsNotYetSentFailWhenTheClientCloses() throws Exception {
    PlayCounterClient client = PlayCounterClient.builder().servers(server)
        .batching(Duration.ofSeconds(1), 4096).build();
    List<CompletableFuture<Long>> plays = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      plays.add(client.incrementAsync("c"));
    }
    client.close();
    int notSent = 0;
    for (CompletableFuture<Long> play : plays.subList(1, plays.size())) {
      ExecutionException e = assertThrows(ExecutionException.class, play::get);
      assertTrue(e.getCause().getMessage().contains("the play was not sent"), e.toString());
      notSent++;
    }
    assertEquals(99, notSent);
    try (PlayCounterClient plain = PlayCounterClient.builder().servers(server).build()) {
      assertTrue(plain.count("c") <= 1, "only the first play was sent");
    }
  }

  /** Checks each song's answers are 1 ... n once each, n its count now; returns all plays. */
  private static long assertEachSongAnsweredOneToItsCount(PlayCounterClient client,
      Map<String, ConcurrentLinkedQueue<Long>> answers) {
    long plays = 0;
    Map<String, Long> counts = new HashMap<>();
    for (Map.Entry<String, ConcurrentLinkedQueue<Long>> song : answers.entrySet()) {
      TreeSet<Long> distinct = new TreeSet<>(song.getValue());
      assertEquals(song.getValue().size(), distinct.size(), song.getKey() + ": an answer twice");
      assertEquals(LongStream.rangeClosed(1, distinct.size()).boxed().toList(),
          new ArrayList<>(distinct), song.getKey() + ": not 1 ... n");
      counts.put(song.getKey(), (long) distinct.size());
      plays += distinct.size();
    }
    assertEquals(counts, client.counts(new ArrayList<>(counts.keySet())));
    return plays;
  }

  /** How many bulk POSTs the server has answered with 2xx, from its /metrics. */
  private double bulkPosts() throws Exception {
    String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        server.resolve("/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    Matcher line = Pattern.compile("(?m)^playcounter_requests_total\\{[^}]*route=\"songs\""
        + "[^}]*status=\"2xx\"[^}]*} (\\S+)$").matcher(metrics);
    double total = 0;
    while (line.find()) {
      total += Double.parseDouble(line.group(1));
    }
    return total;
  }
}
