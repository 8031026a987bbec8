package org.playcounter.client;

import static org.playcounter.client.CountingServers.builder;
import static org.playcounter.client.CountingServers.deadPort;
import static org.playcounter.client.CountingServers.send;
import static org.playcounter.client.CountingServers.sleep;
import static org.playcounter.client.CountingServers.songOwnedBy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Test;
import org.playcounter.client.CountingServers.Fake;
import org.playcounter.client.CountingServers.Hook;
import org.junit.jupiter.api.Timeout;
import org.playcounter.wire.CountsFormat;

/**
 * More faults of calls on songs with several servers, from a second adversarial review of
 * 5382f2b, each failing before its fix: a moved song whose previous server is also its failover
 * server, a lost play whose failover fails too, a cancel while queued, a requestTimeout past the
 * nanoseconds, a delete that removed some before it failed, and a probe taken by an invalid bulk
 * add. Fake counting servers on 127.0.0.1, every test bounded in time.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FailoverFaultsTest {
  @RegisterExtension
  final CountingServers servers = new CountingServers();

  // 1. After a server is added, a moved song's failover server is its previous owner, and
  // Placement.others drops it from a play's (and a bulk add's) answer.

  /** A song owned by {@code owner} in {@code current} and by {@code before} in {@code previous}. */
  private static String songMoved(URI owner, List<URI> current, URI before, List<URI> previous) {
    RendezvousRouter now = new RendezvousRouter(current);
    RendezvousRouter then = new RendezvousRouter(previous);
    for (int i = 0; i < 100_000; i++) {
      String id = "m" + i;
      if (now.serverFor(id).equals(RendezvousRouter.normalize(owner))
          && then.serverFor(id).equals(RendezvousRouter.normalize(before))) {
        return id;
      }
    }
    throw new IllegalStateException("no such song");
  }

  @Test
  void aPlayOfASongMovedToAnAddedServerAddsItsPreviousServerWithFailover() {
    Fake a = servers.fake();
    Fake b = servers.fake();
    Fake c = servers.fake(); // the server added
    String x = songMoved(c.uri, List.of(a.uri, b.uri, c.uri), b.uri, List.of(a.uri, b.uri));
    b.set(x, 100); // its history, still on the server it moved from
    PlayCounterClient control = servers.client(builder(a.uri, b.uri, c.uri)
        .previousServers(a.uri, b.uri).retryFor(Duration.ofMillis(300)));
    assertEquals(101, control.increment(x), "control: without failover the answer adds it");
    PlayCounterClient client = servers.client(builder(a.uri, b.uri, c.uri)
        .previousServers(a.uri, b.uri).retryFor(Duration.ofMillis(300)).failover(true));
    assertEquals(101, client.count(x), "precondition: a read sums both");
    long answer = client.increment(x);
    assertEquals(102, answer, "increment of a song moved to the added server answers only the"
        + " new server's count: its previous owner is also its failover server, and others()"
        + " drops the failover server when the owner took the play");
  }

  @Test
  void aBulkAddOfASongMovedToAnAddedServerAddsItsPreviousServerWithFailover() {
    Fake a = servers.fake();
    Fake b = servers.fake();
    Fake c = servers.fake();
    String x = songMoved(c.uri, List.of(a.uri, b.uri, c.uri), b.uri, List.of(a.uri, b.uri));
    b.set(x, 100);
    PlayCounterClient client = servers.client(builder(a.uri, b.uri, c.uri)
        .previousServers(a.uri, b.uri).retryFor(Duration.ofMillis(300)).failover(true));
    assertEquals(Map.of(x, 101L), client.add(Map.of(x, 1L)), "add() leaves out the previous"
        + " owner's 100 plays as well");
  }

  // 2. A play lost at the owner (may have counted) whose failover then fails without reaching
  // its server reports the failover's failure only: mayHaveCounted() == false, so the caller
  // plays it again and it counts twice.

  @Test
  void aPlayLostAtTheOwnerThenNotSentToTheFallbackSaysItMayHaveCounted() throws IOException {
    Fake a = servers.fake();
    URI dead = deadPort();
    String x = songOwnedBy(a.uri, List.of(a.uri, dead));
    a.hook = countedThenLost(a, "/song/");
    PlayCounterClient client = servers.client(builder(a.uri, dead).retryFor(Duration.ofMillis(300))
        .failover(true));
    PlayCounterException e = assertThrows(PlayCounterException.class, () -> client.increment(x));
    assertEquals(1, a.count(x), "precondition: the owner counted the play");
    assertTrue(e.mayHaveCounted(), "the owner counted the play (answer lost), but the"
        + " exception is the fallback's (never reached) and says mayHaveCounted() == false: "
        + e.getMessage());
  }

  @Test
  void aBulkAddLostAtTheOwnerThenNotSentToTheFallbackSaysItMayHaveCounted() throws IOException {
    Fake a = servers.fake();
    URI dead = deadPort();
    String x = songOwnedBy(a.uri, List.of(a.uri, dead));
    a.hook = countedThenLost(a, "/");
    PlayCounterClient client = servers.client(builder(a.uri, dead).retryFor(Duration.ofMillis(300))
        .failover(true));
    PlayCounterException e = assertThrows(PlayCounterException.class,
        () -> client.add(Map.of(x, 1L)));
    assertEquals(1, a.count(x), "precondition: the owner added the play");
    assertTrue(e.mayHaveCounted(), "the owner added it (answer lost), but the failure names"
        + " only the fallback, never reached: " + e.failures());
  }

  /** The first POST to {@code target} (exactly, or under /song/) counts, its answer lost. */
  private static Hook countedThenLost(Fake server, String target) {
    AtomicBoolean first = new AtomicBoolean(true);
    return (exchange, method, path, body) -> {
      if (!method.equals("POST") || !(target.equals("/") ? path.equals("/")
          : path.startsWith(target))) {
        return false;
      }
      if (first.compareAndSet(true, false)) {
        if (path.equals("/")) {
          try {
            CountsFormat.TEXT.parse(body, CountsFormat.MAX_BULK_COUNT)
                .forEach((id, n) -> server.add(id, n));
          } catch (Exception e) {
            throw new IOException(e);
          }
        } else {
          server.add(path.substring("/song/".length()), 1);
        }
      }
      sleep(1_000); // every attempt: past requestTimeout, so no answer arrives
      exchange.close();
      return true;
    };
  }

  // 3. An async call of a song with several servers runs on the executor as a Task that ignores
  // a cancel: a play cancelled while queued is still sent, unlike the direct path.

  @Test
  void anIncrementAsyncCancelledWhileQueuedIsNotSent() throws Exception {
    Fake a = servers.fake();
    Fake b = servers.fake();
    String x = songOwnedBy(a.uri, List.of(a.uri, b.uri));
    for (boolean failover : new boolean[] {false, true}) {
      ExecutorService pool = servers.oneThread();
      PlayCounterClient client = servers.client(builder(a.uri, b.uri).retryFor(Duration.ofMillis(300))
          .executor(pool).failover(failover));
      CountDownLatch release = new CountDownLatch(1);
      pool.execute(() -> {
        try {
          release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      CompletableFuture<Long> play = client.incrementAsync(x);
      assertTrue(play.cancel(true));
      release.countDown();
      pool.submit(() -> { }).get(5, TimeUnit.SECONDS); // the queued play has run by now
      sleep(200);
      assertEquals(0, a.count(x) + b.count(x), (failover ? "with failover" : "control, direct")
          + ": incrementAsync cancelled while queued was sent and counted all the same");
    }
  }

  // 4. ServerCalls.onExecutor takes Duration.toNanos of requestTimeout unguarded: a requestTimeout
  // past 292 years throws ArithmeticException out of every async call with several servers.

  @Test
  void anAsyncCallWithAHugeRequestTimeoutWorksWithFailover() throws Exception {
    Fake a = servers.fake();
    Fake b = servers.fake();
    a.set("x", 3);
    b.set("x", 3);
    PlayCounterClient control = servers.client(builder(a.uri, b.uri)
        .requestTimeout(Duration.ofSeconds(Long.MAX_VALUE)));
    assertEquals(3, control.countAsync("x").get(5, TimeUnit.SECONDS), "control: direct path");
    PlayCounterClient client = servers.client(builder(a.uri, b.uri)
        .requestTimeout(Duration.ofSeconds(Long.MAX_VALUE)).failover(true));
    try {
      assertEquals(6, client.countAsync("x").get(5, TimeUnit.SECONDS));
    } catch (ArithmeticException e) {
      fail("countAsync with failover threw " + e + " (Duration.toNanos in onExecutor)");
    }
  }

  // 5. A delete that removed the song from its owner and then failed on another holder throws a
  // one-server exception: the count removed from the owner is reported nowhere, and is lost.

  @Test
  void aDeleteThatFailsAfterRemovingFromTheOwnerReportsWhatItRemoved() {
    Fake a = servers.fake();
    Fake b = servers.fake();
    String x = songOwnedBy(a.uri, List.of(a.uri, b.uri));
    a.set(x, 5);
    b.hook = (exchange, method, target, body) -> {
      if (method.equals("DELETE")) {
        send(exchange, 500, "disk full");
        return true;
      }
      return false;
    };
    PlayCounterClient client = servers.client(builder(a.uri, b.uri).retryFor(Duration.ofMillis(300))
        .failover(true));
    PlayCounterException e = assertThrows(PlayCounterException.class, () -> client.delete(x));
    assertEquals(0, a.count(x), "precondition: the owner's 5 plays were removed");
    boolean reported = Long.valueOf(5).equals(e.partialResults().get(x))
        || e.serverResults().values().stream().anyMatch(m -> Long.valueOf(5).equals(m.get(x)));
    assertTrue(reported, "the 5 plays removed from the owner are in neither partialResults "
        + e.partialResults() + " nor serverResults " + e.serverResults() + ": they are gone"
        + " (" + e.getMessage() + ")");
  }

  // 6. BulkAdd.shards takes a server's probe before it has checked every play: an invalid one
  // throws IllegalArgumentException with the probe used up and nothing sent.

  @Test
  void anInvalidAddDoesNotUseUpTheProbeOfAServerMarkedDown() {
    Fake a = servers.fake();
    Fake b = servers.fake();
    String x = songOwnedBy(a.uri, List.of(a.uri, b.uri));
    a.set(x, 10);
    AtomicBoolean broken = new AtomicBoolean(true);
    a.hook = (exchange, method, target, body) -> {
      if (broken.get()) {
        send(exchange, 503, "restarting");
        return true;
      }
      return false;
    };
    PlayCounterClient client = servers.client(builder(a.uri, b.uri).retryFor(Duration.ofMillis(300))
        .failover(true));
    client.increment(x); // marks the owner down, the play on the next server
    broken.set(false);
    sleep(1_200); // the owner is due its probe
    Map<String, Long> invalid = new LinkedHashMap<>();
    invalid.put(x, 1L);
    invalid.put("y", 0L); // invalid: nothing is sent
    assertThrows(IllegalArgumentException.class, () -> client.add(invalid));
    int before = a.requests.size();
    long count = client.count(x);
    assertEquals(11, count, "the owner was due a probe and nothing was sent to it, yet count()"
        + " passes it over (add() took the probe); requests after: "
        + a.requests.subList(before, a.requests.size()));
  }
}
