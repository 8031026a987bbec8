package org.playcounter.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.playcounter.client.FakeServers.answer;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.playcounter.wire.CountsFormat;
import org.playcounter.wire.MalformedCountsException;
import org.playcounter.http.FreePort;

/** The client against fake counter servers made of the JDK's own {@link HttpServer}. */
class PlayCounterClientTest {
  @RegisterExtension
  final FakeServers servers = new FakeServers();

  @Test
  void countsAsksEveryServerAtOnce() {
    int n = 16;
    CountDownLatch arrived = new CountDownLatch(n);
    List<URI> uris = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String body = "s" + i + "=" + (i + 1);
      uris.add(servers.start(exchange -> {
        arrived.countDown();
        boolean all = await(arrived, 20);
        answer(exchange, all ? 200 : 503, all ? body : "only some requests arrived");
      }));
    }
    PlayCounterClient client = PlayCounterClient.builder().servers(uris)
        .requestTimeout(Duration.ofSeconds(60)).build();
    Map<String, Long> expected = new HashMap<>();
    for (int i = 0; i < n; i++) {
      expected.put("s" + i, i + 1L);
    }
    assertEquals(expected, client.counts());
  }

  @Test
  void sequentialCallsReuseOneConnection() {
    Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
    URI server = servers.start(exchange -> {
      clientPorts.add(exchange.getRemoteAddress().getPort());
      answer(exchange, 200, "7");
    });
    PlayCounterClient client = new PlayCounterClient(List.of(server));
    for (int i = 0; i < 5; i++) {
      assertEquals(7, client.count("1"));
    }
    assertEquals(1, clientPorts.size(), "client ports " + clientPorts);
  }

  @Test
  void songCallsUseTheContractPathsAndMethods() {
    List<String> seen = new CopyOnWriteArrayList<>();
    URI server = servers.start(exchange -> {
      seen.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " "
          + exchange.getRequestHeaders().getFirst("Accept"));
      answer(exchange, 200, "3");
    });
    PlayCounterClient client = new PlayCounterClient(List.of(URI.create(server + "/app/")));
    assertEquals(3, client.count(1));
    assertEquals(3, client.increment("USRC17607839"));
    assertEquals(3, client.delete(5));
    assertEquals(List.of("GET /app/song/1 text/plain", "POST /app/song/USRC17607839 text/plain",
        "DELETE /app/song/5 text/plain"), seen);
  }

  @Test
  void errorAnswerNamesServerStatusAndReason() {
    URI server = servers.start(exchange -> answer(exchange, 507, "too many songs: limit is 10\n"));
    PlayCounterClient client = new PlayCounterClient(List.of(server));
    PlayCounterException e = assertThrows(PlayCounterException.class,
        () -> client.increment("x"));
    assertEquals(server, e.server());
    assertEquals(507, e.status());
    assertEquals("too many songs: limit is 10", e.reason());
    assertEquals(server + " answered 507: too many songs: limit is 10", e.getMessage());
    assertEquals(Map.of(), e.partialResults());
    assertEquals(Map.of(), e.failures());
  }

  @Test
  void unparseableAnswerIsTheServersFailure() {
    URI server = servers.start(exchange -> answer(exchange, 200, "<html>"));
    PlayCounterClient client = new PlayCounterClient(List.of(server));
    PlayCounterException e = assertThrows(PlayCounterException.class, () -> client.count("1"));
    assertEquals(server, e.server());
    assertEquals(200, e.status());
    assertTrue(e.reason().startsWith("unexpected answer: "), e.reason());
  }

  @Test
  void asyncFailureCompletesTheFutureWithTheException() {
    URI server = servers.start(exchange -> answer(exchange, 409, "count of song x would overflow"));
    PlayCounterClient client = new PlayCounterClient(List.of(server));
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> client.incrementAsync("x").get(20, TimeUnit.SECONDS));
    PlayCounterException failure = assertInstanceOf(PlayCounterException.class, e.getCause());
    assertEquals(409, failure.status());
    assertEquals("count of song x would overflow", failure.reason());
  }

  @Test
  void pipelinedIncrementsAllArrive() throws Exception {
    AtomicInteger plays = new AtomicInteger();
    URI server = servers.start(exchange -> answer(exchange, 200,
        Integer.toString(plays.incrementAndGet())));
    PlayCounterClient client = new PlayCounterClient(List.of(server));
    List<CompletableFuture<Long>> futures = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      futures.add(client.incrementAsync(1));
    }
    Set<Long> answers = new HashSet<>();
    for (var future : futures) {
      answers.add(future.get(20, TimeUnit.SECONDS));
    }
    assertEquals(50, answers.size());
    assertEquals(50, plays.get());
  }

  @Test
  void fanOutWithDeadServerCarriesPartialResultsAndFailures() {
    URI a = servers.start(exchange -> answer(exchange, 200, "a=1,both=2"));
    URI b = servers.start(exchange -> answer(exchange, 200, "b=2,both=3"));
    URI dead = deadServer();
    PlayCounterClient client = PlayCounterClient.builder().servers(a, dead, b)
        .retryFor(Duration.ofMillis(200)).build();
    PlayCounterException e = assertThrows(PlayCounterException.class, client::counts);
    assertNull(e.server());
    assertEquals(-1, e.status());
    assertEquals("1 of 3 servers failed", e.reason());
    assertEquals(Map.of("a", 1L, "b", 2L, "both", 5L), e.partialResults());
    assertEquals(Set.of(dead), e.failures().keySet());
    PlayCounterException failure = e.failures().get(dead);
    assertEquals(dead, failure.server());
    assertEquals(-1, failure.status());
    assertTrue(e.getMessage().contains(dead.toString()), e.getMessage());
  }

  @Test
  void resetAllIsTrueOnlyIfEveryServerAnsweredOk() {
    URI ok = servers.start(exchange -> answer(exchange, 200, "OK"));
    URI other = servers.start(exchange -> answer(exchange, 200, "Done"));
    assertTrue(new PlayCounterClient(List.of(ok)).resetAll());
    assertFalse(new PlayCounterClient(List.of(ok, other)).resetAll());
    URI dead = deadServer();
    PlayCounterException e = assertThrows(PlayCounterException.class,
        () -> new PlayCounterClient(List.of(ok, dead)).resetAll());
    assertEquals(Set.of(dead), e.failures().keySet());
    assertEquals(Map.of(), e.partialResults());
  }

  @Test
  void drainAllAsksForTheRemovedCountsAndSumsSongsOnTwoServers() {
    HttpHandler drain = exchange -> {
      boolean asked = exchange.getRequestMethod().equals("DELETE") && "return=representation"
          .equals(exchange.getRequestHeaders().getFirst("Prefer"));
      exchange.getResponseHeaders().add("Preference-Applied", "return=representation");
      answer(exchange, asked ? 200 : 400, asked ? "x=1,y=2" : "not a drain");
    };
    PlayCounterClient client = new PlayCounterClient(List.of(servers.start(drain), servers.start(drain)));
    assertEquals(Map.of("x", 2L, "y", 4L), client.drainAll());
  }

  @Test
  void drainOfServerThatIgnoredThePreferenceFails() {
    URI server = servers.start(exchange -> answer(exchange, 200, "OK"));
    PlayCounterException e = assertThrows(PlayCounterException.class,
        () -> new PlayCounterClient(List.of(server)).drainAll());
    PlayCounterException failure = e.failures().get(server);
    assertTrue(failure.reason().contains("Preference-Applied"), failure.reason());
  }

  @Test
  void invalidIdsAreRejectedBeforeAnyRequest() {
    AtomicInteger requests = new AtomicInteger();
    URI server = servers.start(exchange -> {
      requests.incrementAndGet();
      answer(exchange, 200, "1");
    });
    PlayCounterClient client = new PlayCounterClient(List.of(server));
    assertEquals("song id must be a single path segment", assertThrows(
        IllegalArgumentException.class, () -> client.count("a/b")).getMessage());
    assertThrows(IllegalArgumentException.class, () -> client.increment(""));
    assertThrows(IllegalArgumentException.class, () -> client.delete("x y"));
    assertThrows(IllegalArgumentException.class, () -> client.count("caf\u00e9"));
    assertThrows(IllegalArgumentException.class, () -> client.increment("x".repeat(129)));
    assertThrows(IllegalArgumentException.class, () -> client.countAsync("?"));
    assertThrows(IllegalArgumentException.class, () -> client.incrementAsync("%31"));
    assertThrows(IllegalArgumentException.class, () -> client.deleteAsync("a,b"));
    Map<String, Long> badId = new LinkedHashMap<>();
    badId.put("ok", 1L);
    badId.put("bad=id", 1L);
    assertThrows(IllegalArgumentException.class, () -> client.add(badId));
    assertThrows(IllegalArgumentException.class, () -> client.add(Map.of("ok", 0L)));
    assertEquals("plays of song ok not in 1..9007199254740992: 9007199254740993",
        assertThrows(IllegalArgumentException.class,
            () -> client.add(Map.of("ok", CountsFormat.MAX_BULK_COUNT + 1))).getMessage());
    assertEquals(0, requests.get());
  }

  @Test
  void addSendsOneBulkPostPerShardWithExactlyItsSongs() throws Exception {
    Map<URI, List<Map<String, Long>>> received = new ConcurrentHashMap<>();
    List<URI> uris = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      URI[] self = new URI[1];
      self[0] = servers.start(exchange -> {
        String body = new String(exchange.getRequestBody().readAllBytes(),
            StandardCharsets.UTF_8);
        boolean bulk = exchange.getRequestMethod().equals("POST")
            && exchange.getRequestURI().getPath().equals("/")
            && String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type"))
                .startsWith("text/plain");
        try {
          Map<String, Long> plays = CountsFormat.TEXT.parse(body, CountsFormat.MAX_BULK_COUNT);
          received.computeIfAbsent(self[0], s -> new CopyOnWriteArrayList<>()).add(plays);
          answer(exchange, bulk ? 200 : 400, bulk ? body : "not a bulk POST");
        } catch (MalformedCountsException e) {
          answer(exchange, 400, e.getMessage());
        }
      });
      uris.add(self[0]);
    }
    PlayCounterClient client = new PlayCounterClient(uris);
    Map<String, Long> plays = new HashMap<>();
    for (int i = 0; i < 100; i++) {
      plays.put("song-" + i, i + 1L);
    }
    assertEquals(plays, client.add(plays));
    assertEquals(Set.copyOf(uris), received.keySet());
    for (URI server : uris) {
      assertEquals(1, received.get(server).size(), "POSTs to " + server);
      Map<String, Long> expected = new HashMap<>(plays);
      expected.keySet().removeIf(id -> !client.router().serverFor(id).equals(server));
      assertEquals(expected, received.get(server).get(0));
    }
    assertEquals(Map.of(), client.add(Map.of()));
    assertEquals(3, received.values().stream().mapToInt(List::size).sum());
  }

  /** A count every fake server gives song {@code id}: 0 for a third of them, as if unplayed. */
  private static long fakeCount(String id) {
    return Math.floorMod(id.hashCode(), 3) == 0 ? 0 : Math.floorMod(id.hashCode(), 1000) + 1;
  }

  /** A fake of {@code GET /?id=..}: the ids of the raw query, in order, each with its count. */
  private static String answerIds(String rawQuery) {
    StringBuilder body = new StringBuilder();
    Set<String> seen = new HashSet<>();
    for (String parameter : rawQuery.split("&")) {
      String id = parameter.substring("id=".length());
      if (seen.add(id)) {
        body.append(body.length() == 0 ? "" : ",").append(id).append('=').append(fakeCount(id));
      }
    }
    return body.toString();
  }

  @Test
  void countsOfManySongsAsksEachServerOnceAllAtOnceAndAnswersInTheOrderAsked() {
    int n = 8;
    CountDownLatch arrived = new CountDownLatch(n);
    Map<URI, List<String>> received = new ConcurrentHashMap<>();
    List<URI> uris = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      URI[] self = new URI[1];
      self[0] = servers.start(exchange -> {
        String query = exchange.getRequestURI().getRawQuery();
        received.computeIfAbsent(self[0], s -> new CopyOnWriteArrayList<>())
            .add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath() + "?"
                + query);
        arrived.countDown();
        boolean all = await(arrived, 20);
        answer(exchange, all ? 200 : 503, all ? answerIds(query) : "only some requests arrived");
      });
      uris.add(self[0]);
    }
    PlayCounterClient client = PlayCounterClient.builder().servers(uris)
        .requestTimeout(Duration.ofSeconds(60)).build();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      ids.add(i % 7 == 0 ? "drain" : "song-" + (i * 7919 % 1000)); // repeats, and a format word
    }
    ids.addAll(List.of("..a", "~", "version", "0", "song-7"));
    Map<String, Long> counts = client.counts(ids);

    List<String> distinct = new ArrayList<>(new java.util.LinkedHashSet<>(ids));
    assertEquals(distinct, new ArrayList<>(counts.keySet()));
    distinct.forEach(id -> assertEquals(fakeCount(id), counts.get(id), id));
    assertEquals(Set.copyOf(uris), received.keySet());
    for (URI server : uris) {
      assertEquals(1, received.get(server).size(), "requests to " + server);
      StringBuilder expected = new StringBuilder("GET /?");
      for (String id : distinct) {
        if (client.router().serverFor(id).equals(server)) {
          expected.append(expected.length() == 6 ? "" : "&").append("id=").append(id);
        }
      }
      assertEquals(expected.toString(), received.get(server).get(0));
    }
    assertThrows(UnsupportedOperationException.class, () -> counts.put("x", 1L));
  }

  @Test
  void countsSplitsAServersSongsSoThatEachRequestStaysUnderTheLimits() {
    List<String> received = new CopyOnWriteArrayList<>();
    URI base = servers.start(exchange -> {
      received.add(exchange.getRequestURI().getRawPath() + "?"
          + exchange.getRequestURI().getRawQuery());
      answer(exchange, 200, answerIds(exchange.getRequestURI().getRawQuery()));
    });
    URI server = URI.create(base + "/playcounter");
    PlayCounterClient client = new PlayCounterClient(List.of(server));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      ids.add(String.format("%04d", i) + "x".repeat(124)); // 128 characters, the longest id
    }
    Map<String, Long> counts = client.counts(ids);
    assertEquals(ids, new ArrayList<>(counts.keySet()));
    int perRequest = (ManyCounts.MAX_REQUEST_TARGET - "/playcounter/?".length() + 1) / 132;
    assertEquals((ids.size() + perRequest - 1) / perRequest, received.size(), "" + received);
    List<String> sent = new ArrayList<>();
    int notFull = 0;
    for (String target : received) {
      assertTrue(target.length() <= ManyCounts.MAX_REQUEST_TARGET, target.length() + " bytes");
      notFull += target.length() > ManyCounts.MAX_REQUEST_TARGET - 132 ? 0 : 1;
      assertTrue(target.startsWith("/playcounter/?id="), target);
      for (String parameter : target.substring("/playcounter/?".length()).split("&")) {
        sent.add(parameter.substring(3));
      }
    }
    assertEquals(1, notFull, "requests that could have taken another id: " + received);
    sent.sort(null);
    assertEquals(ids, sent);
  }

  @Test
  void aServersShareIsSplitAtAThousandIds() {
    String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
    List<String> ids = new ArrayList<>();
    for (int i = 0; ids.size() < 2_500; i++) {
      ids.add("" + alphabet.charAt(i / alphabet.length()) + alphabet.charAt(i % alphabet.length()));
    }
    List<List<String>> batches = ManyCounts.split(URI.create("http://h:1"), ids);
    assertEquals(List.of(1_000, 1_000, 500), batches.stream().map(List::size).toList());
    assertEquals(ids, batches.stream().flatMap(List::stream).toList());
    assertEquals(6_001, ManyCounts.path(batches.get(0)).length());
  }

  @Test
  void countsFromAServerThatListsEverySongFails() {
    URI old = servers.start(exchange -> answer(exchange, 200, "a=1,b=2,zz=3"));
    URI good = servers.start(exchange ->
        answer(exchange, 200, answerIds(exchange.getRequestURI().getRawQuery())));
    PlayCounterClient client = new PlayCounterClient(List.of(old, good));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      ids.add("s" + i);
    }
    PlayCounterException e = assertThrows(PlayCounterException.class, () -> client.counts(ids));
    assertEquals(Set.of(old), e.failures().keySet());
    assertTrue(e.failures().get(old).reason().contains("not asked for"), e.getMessage());
    Map<String, Long> expected = new HashMap<>();
    ids.stream().filter(id -> client.router().serverFor(id).equals(good))
        .forEach(id -> expected.put(id, fakeCount(id)));
    assertEquals(expected, e.partialResults());
    assertEquals(Set.of(good), e.serverResults().keySet());

    URI empty = servers.start(exchange -> answer(exchange, 200, ""));
    PlayCounterException none = assertThrows(PlayCounterException.class,
        () -> new PlayCounterClient(List.of(empty)).counts(List.of("a", "b")));
    assertTrue(none.getMessage().contains("0 of the 2 songs asked for"), none.getMessage());
  }

  @Test
  void countsChecksEveryIdBeforeAnyRequestAndAsksNothingForNoIds() {
    AtomicInteger requests = new AtomicInteger();
    URI server = servers.start(exchange -> {
      requests.incrementAndGet();
      answer(exchange, 200, answerIds(exchange.getRequestURI().getRawQuery()));
    });
    PlayCounterClient client = new PlayCounterClient(List.of(server));
    for (String bad : List.of("..", ".", "", "a&id=b", "a%31", "x".repeat(129), "a b")) {
      assertThrows(IllegalArgumentException.class, () -> client.counts(List.of("ok", bad)), bad);
    }
    assertEquals(Map.of(), client.counts(List.of()));
    assertEquals(0, requests.get());
    assertEquals(List.of("b", "a"), new ArrayList<>(client.counts(List.of("b", "a", "b"))
        .keySet()));
    assertEquals(1, requests.get());
  }

  @Test
  void builderRejectsWhatItCannotUse() {
    assertThrows(IllegalArgumentException.class,
        () -> PlayCounterClient.builder().servers(List.of()).build());
    assertThrows(IllegalArgumentException.class,
        () -> new PlayCounterClient(List.of(URI.create("ftp://h"))));
    assertEquals("requestTimeout <= 0: PT0S", assertThrows(IllegalArgumentException.class,
        () -> PlayCounterClient.builder().requestTimeout(Duration.ZERO)).getMessage());
    assertEquals("maxConnectionsPerServer not in 1..10000: 0", assertThrows(
        IllegalArgumentException.class,
        () -> PlayCounterClient.builder().maxConnectionsPerServer(0)).getMessage());
    assertEquals("linger <= 0: PT0S", assertThrows(IllegalArgumentException.class,
        () -> PlayCounterClient.builder().batching(Duration.ZERO, 10)).getMessage());
    assertEquals("linger > 1 s: PT1.001S", assertThrows(IllegalArgumentException.class,
        () -> PlayCounterClient.builder().batching(Duration.ofMillis(1001), 10)).getMessage());
    assertEquals("maxPlays not in 1..4096: 4097", assertThrows(IllegalArgumentException.class,
        () -> PlayCounterClient.builder().batching(Duration.ofMillis(1), 4097)).getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> PlayCounterClient.builder().batching(Duration.ofMillis(1), 0));
    assertEquals(List.of(URI.create("http://127.0.0.1:8080")),
        new PlayCounterClient().router().servers());
  }

  /** A server URI where nothing listens: a port that was free a moment ago. */
  private static URI deadServer() {
    return URI.create("http://127.0.0.1:" + FreePort.next());
  }

  private static boolean await(CountDownLatch latch, int seconds) {
    try {
      return latch.await(seconds, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
