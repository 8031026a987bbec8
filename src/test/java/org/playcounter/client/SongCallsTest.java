package org.playcounter.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.playcounter.client.FakeServers.answer;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.playcounter.http.FreePort;
import org.playcounter.http.StallingServer;

/** The calls on one song when it has several servers: previous ones, or a failover. */
class SongCallsTest {
  @RegisterExtension
  final FakeServers servers = new FakeServers();

  @Test
  void aMovedSongIsReadFromBothListsAndItsPlayAnswersTheSum() {
    Map<String, Long> oldCounts = new ConcurrentHashMap<>();
    Map<String, Long> newCounts = new ConcurrentHashMap<>();
    URI old = servers.counting(oldCounts);
    URI added = servers.counting(newCounts);
    String id = ownedBy(added, List.of(old, added));
    oldCounts.put(id, 1_000L);
    try (PlayCounterClient client = PlayCounterClient.builder().servers(old, added)
        .previousServers(old).build()) {
      assertEquals(1_000, client.count(id));
      assertEquals(1_001, client.increment(id));
      assertEquals(1L, newCounts.get(id), "the play went to the song's new server");
      assertEquals(1_000L, oldCounts.get(id));
      assertEquals(1_002, client.incrementAsync(id).join());
      assertEquals(1_002, client.countAsync(id).join());
      assertEquals(List.of(client.router().servers().get(0), client.router().servers().get(1)),
          client.servers());
      assertEquals(1_002, client.delete(id), "removed from both, what both held");
      assertTrue(oldCounts.isEmpty() && newCounts.isEmpty());
    }
  }

  @Test
  void countsThatSumPastALongOverTheServersFailNamingTheSong() {
    URI old = servers.start(exchange -> answer(exchange, 200, Long.toString(Long.MAX_VALUE)));
    URI added = servers.start(exchange -> answer(exchange, 200, "1"));
    String id = ownedBy(added, List.of(old, added));
    try (PlayCounterClient client = PlayCounterClient.builder().servers(old, added)
        .previousServers(old).build()) {
      PlayCounterException e = assertThrows(PlayCounterException.class, () -> client.count(id));
      assertEquals(Set.of(id), e.overflowed());
      assertEquals(Map.of(id, Long.MAX_VALUE), e.partialResults());
    }
  }

  @Test
  void aPlayRefusedAtConnectFailsOverOnceAndLaterPlaysPassTheServerOver() {
    URI dead = URI.create("http://127.0.0.1:" + FreePort.next());
    Map<String, Long> counts = new ConcurrentHashMap<>();
    URI next = servers.counting(counts);
    String id = ownedBy(dead, List.of(dead, next));
    try (PlayCounterClient client = PlayCounterClient.builder().servers(dead, next)
        .retryFor(Duration.ofMillis(500)).failover(true).build()) {
      assertEquals(1, client.increment(id));
      long start = System.nanoTime();
      assertEquals(2, client.increment(id));
      assertEquals(2, client.count(id));
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertTrue(millis < 400, "the down server was passed over, not waited for: " + millis);
      assertEquals(2L, counts.get(id));
      assertEquals(0, client.possibleDoubles(), "a refused connection counted nothing");
    }
  }

  @Test
  void aPlayWhoseAnswerNeverCameFailsOverAsAPossibleDouble() throws Exception {
    try (StallingServer stalled = new StallingServer()) {
      Map<String, Long> counts = new ConcurrentHashMap<>();
      URI next = servers.counting(counts);
      String id = ownedBy(stalled.uri(), List.of(stalled.uri(), next));
      try (PlayCounterClient client = PlayCounterClient.builder().servers(stalled.uri(), next)
          .requestTimeout(Duration.ofMillis(300)).retryFor(Duration.ofMillis(500))
          .failover(true).build()) {
        assertEquals(1, client.increment(id));
        assertEquals(1, client.possibleDoubles());
        assertEquals(1L, counts.get(id));
      }
    }
  }

  @Test
  void aServerAnsweringOnly503FailsOver() {
    URI stopping = servers.start(exchange -> answer(exchange, 503, "stopping"));
    Map<String, Long> counts = new ConcurrentHashMap<>();
    URI next = servers.counting(counts);
    String id = ownedBy(stopping, List.of(stopping, next));
    try (PlayCounterClient client = PlayCounterClient.builder().servers(stopping, next)
        .retryFor(Duration.ofMillis(300)).failover(true).build()) {
      assertEquals(1, client.increment(id));
      assertEquals(0, client.possibleDoubles(), "a 503 is an answer: nothing was counted");
    }
  }

  @Test
  void aRefusalIsNoOutageAndDoesNotFailOver() {
    URI full = servers.start(exchange -> answer(exchange, 507, "full: 10 songs"));
    Map<String, Long> counts = new ConcurrentHashMap<>();
    URI next = servers.counting(counts);
    String id = ownedBy(full, List.of(full, next));
    try (PlayCounterClient client = PlayCounterClient.builder().servers(full, next)
        .failover(true).build()) {
      PlayCounterException e = assertThrows(PlayCounterException.class,
          () -> client.increment(id));
      assertEquals(507, e.status());
      assertTrue(counts.isEmpty());
    }
  }

  @Test
  void aSongWhoseServersAreAllDownFailsItsRead() {
    URI one = URI.create("http://127.0.0.1:" + FreePort.next());
    URI two = URI.create("http://127.0.0.1:" + FreePort.next());
    try (PlayCounterClient client = PlayCounterClient.builder().servers(one, two)
        .retryFor(Duration.ofMillis(200)).failover(true).build()) {
      PlayCounterException e = assertThrows(PlayCounterException.class, () -> client.count("s"));
      assertTrue(e.reason().startsWith("every server of song s is down"), e.reason());
      assertFalse(e.mayHaveCounted());
    }
  }

  @Test
  void anAsyncCallStillQueuedWhenTheClientClosesFailsAsClosed() throws Exception {
    URI a = servers.counting(new ConcurrentHashMap<>());
    URI b = servers.counting(new ConcurrentHashMap<>());
    ThreadPoolExecutor one = (ThreadPoolExecutor) Executors.newFixedThreadPool(1);
    try {
      PlayCounterClient client = PlayCounterClient.builder().servers(a, b).previousServers(a)
          .executor(one).build();
      one.execute(() -> sleep(300)); // holds the only thread
      var queued = client.incrementAsync("s");
      client.close();
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> queued.get(10, TimeUnit.SECONDS));
      assertTrue(e.getCause() instanceof PlayCounterException, e.toString());
    } finally {
      one.shutdownNow();
    }
  }

  /** A song id that {@code server} owns among {@code servers}. */
  private static String ownedBy(URI server, List<URI> all) {
    RendezvousRouter router = new RendezvousRouter(all);
    for (int i = 0; ; i++) {
      if (router.serverFor("s" + i).equals(RendezvousRouter.normalize(server))) {
        return "s" + i;
      }
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
