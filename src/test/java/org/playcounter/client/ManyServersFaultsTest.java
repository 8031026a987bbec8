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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Test;
import org.playcounter.client.CountingServers.Fake;
import org.playcounter.client.CountingServers.Hook;
import org.junit.jupiter.api.Timeout;

/**
 * The faults of calls on songs with several servers (previousServers, failover) and of
 * mayHaveCounted, each found by an adversarial review of 36c0d6e and failing before its fix: a
 * 503 after a lost attempt, a counted write whose other servers do not answer, probes from bulk
 * calls, deletes that pass a server over, and async calls queued past their time. Every server is
 * a fake counting server on 127.0.0.1, every test bounded in time.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ManyServersFaultsTest {
  @RegisterExtension
  final CountingServers servers = new CountingServers();

  // A keyed write sent and lost, then answered only 503, may have counted: it says so, and
  // failover counts it as a possible double.

  @Test
  void aPlayWhoseLostAttemptWasFollowedBy503sSaysItMayHaveCounted() {
    Fake a = servers.fake();
    a.hook = firstPostCountedThenLostThen503(a);
    PlayCounterClient client = servers.client(builder(a.uri).retryFor(Duration.ofSeconds(1)));
    PlayCounterException e = assertThrows(PlayCounterException.class,
        () -> client.increment("x"));
    assertEquals(1, a.count("x"), "precondition: the first attempt was counted on the server");
    assertTrue(e.mayHaveCounted(), "the play was counted by its first attempt (sent, answer"
        + " lost), yet the exception says mayHaveCounted() == false: " + e.getMessage());
  }

  @Test
  void failoverCountsAPossibleDoubleWhenTheOwnerCountedThenAnswered503() {
    Fake a = servers.fake();
    Fake b = servers.fake();
    String x = songOwnedBy(a.uri, List.of(a.uri, b.uri));
    a.hook = firstPostCountedThenLostThen503(a);
    PlayCounterClient client = servers.client(builder(a.uri, b.uri).retryFor(Duration.ofSeconds(1))
        .failover(true));
    assertEquals(1, client.increment(x));
    assertEquals(1, a.count(x), "precondition: the owner counted the play");
    assertEquals(1, b.count(x), "precondition: failover counted it again on the next server");
    assertEquals(1, client.possibleDoubles(), "the play is now counted twice (once on each"
        + " server) but possibleDoubles() does not know it");
  }

  /** POST /song/..: the first is counted and its answer lost (past requestTimeout), then 503. */
  private static Hook firstPostCountedThenLostThen503(Fake server) {
    AtomicBoolean first = new AtomicBoolean(true);
    return (exchange, method, target, body) -> {
      if (!method.equals("POST") || !target.startsWith("/song/")) {
        return false;
      }
      if (first.compareAndSet(true, false)) {
        server.add(target.substring("/song/".length()), 1);
        sleep(1_500); // the client gives up on this attempt after 300 ms
        exchange.close();
        return true;
      }
      send(exchange, 503, "shutting down");
      return true;
    };
  }

  // A write counted, whose other servers fail to answer or sum past a long, is still answered as
  // counted (their counts left out, or held at the largest long): a failure would be played again.

  @Test
  void aPlayWhosePreviousServerFailsToAnswerIsStillAnsweredAsCounted() throws IOException {
    Fake a = servers.fake();
    URI removed = deadPort(); // the server taken out of the list, gone for good
    String x = songOwnedBy(removed, List.of(a.uri, removed));
    PlayCounterClient client = servers.client(builder(a.uri).previousServers(a.uri, removed)
        .retryFor(Duration.ofMillis(300)));
    assertEquals(1, client.increment(x), "the play is counted: its answer leaves out the"
        + " server that did not answer, rather than fail a counted play");
    assertEquals(1, a.count(x));
  }

  @Test
  void aBulkAddWhosePreviousServerFailsToAnswerIsStillAnsweredAsAdded() throws IOException {
    Fake a = servers.fake();
    URI removed = deadPort();
    String x = songOwnedBy(removed, List.of(a.uri, removed));
    PlayCounterClient client = servers.client(builder(a.uri).previousServers(a.uri, removed)
        .retryFor(Duration.ofMillis(300)));
    assertEquals(Map.of(x, 1L), client.add(Map.of(x, 1L)));
    assertEquals(1, a.count(x));
  }

  @Test
  void aPlayWhoseSumPassesALongIsAnsweredHeldAtTheLargestLong() {
    Fake a = servers.fake();
    Fake before = servers.fake();
    String x = songOwnedBy(before.uri, List.of(a.uri, before.uri));
    before.set(x, Long.MAX_VALUE);
    PlayCounterClient client = servers.client(builder(a.uri).previousServers(a.uri, before.uri)
        .retryFor(Duration.ofMillis(300)));
    assertEquals(Long.MAX_VALUE, client.increment(x));
    assertEquals(1, a.count(x), "the play was counted");
    PlayCounterException read = assertThrows(PlayCounterException.class, () -> client.count(x));
    assertEquals(Set.of(x), read.overflowed(), "a read says so");
  }

  // add() and counts(ids) probe a server marked down, as the single-song calls do, so that it
  // comes back for a client that only uses them.

  @Test
  void aServerMarkedDownByABulkAddGetsItsSongsBackOnceItAnswersAgain() {
    Fake a = servers.fake();
    Fake b = servers.fake();
    String x = songOwnedBy(a.uri, List.of(a.uri, b.uri));
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
    client.add(Map.of(x, 1L));
    assertEquals(1, b.count(x), "precondition: failover sent the add to the next server");
    broken.set(false); // the owner is back
    sleep(1_200); // past Placement.PROBE_NANOS
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
    while (a.count(x) == 0 && System.nanoTime() < end) {
      client.add(Map.of(x, 1L));
      sleep(100);
    }
    assertTrue(a.count(x) > 0, "the owner answers again since 5 s, but every add() still"
        + " goes to the next server (" + b.count(x) + " plays there): add() never probes it;"
        + " requests the owner got: " + a.requests);
  }

  @Test
  void aServerMarkedDownByCountsOfIdsIsAskedAgainOnceItAnswers() {
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
    client.counts(List.of(x)); // marks the owner down
    broken.set(false);
    sleep(1_200);
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
    long seen = client.counts(List.of(x)).get(x);
    while (seen != 10 && System.nanoTime() < end) {
      sleep(100);
      seen = client.counts(List.of(x)).get(x);
    }
    assertEquals(10, seen, "the owner answers again (and holds 10) since 5 s, but counts(ids)"
        + " never asks it again; requests it got: " + a.requests);
  }

  // A delete passes no server over: with failover, the owner is asked whatever its mark, and a
  // lost answer fails the call.

  @Test
  void aDeleteWhileTheOwnerIsMarkedDownLeavesTheSongToComeBack() {
    Fake a = servers.fake();
    Fake b = servers.fake();
    String x = songOwnedBy(a.uri, List.of(a.uri, b.uri));
    a.set(x, 5);
    a.hook = (exchange, method, target, body) -> {
      if (method.equals("POST")) {
        send(exchange, 503, "busy"); // enough to mark it down
        return true;
      }
      return false;
    };
    PlayCounterClient client = servers.client(builder(a.uri, b.uri).retryFor(Duration.ofMillis(300))
        .failover(true));
    client.increment(x); // fails over: the owner is marked down
    long removed = client.delete(x); // no exception: the caller believes the song is gone
    sleep(1_200);
    long after = client.count(x);
    assertEquals(0, after, "delete(" + x + ") returned " + removed + " without an exception,"
        + " yet the owner was never sent a DELETE (requests: " + a.requests + ") and the song"
        + " is back with " + after + " plays");
  }

  @Test
  void aDeleteWhoseOnlyAttemptAtTheOwnerIsLostDoesNotReportSuccess() {
    Fake a = servers.fake();
    Fake b = servers.fake();
    String x = songOwnedBy(a.uri, List.of(a.uri, b.uri));
    a.set(x, 5);
    AtomicInteger deletes = new AtomicInteger();
    a.hook = (exchange, method, target, body) -> {
      if (method.equals("DELETE") && deletes.incrementAndGet() == 1) {
        exchange.close(); // one lost answer, nothing removed
        return true;
      }
      return false;
    };
    PlayCounterClient client = servers.client(builder(a.uri, b.uri).retryFor(Duration.ofSeconds(5))
        .failover(true));
    long removed;
    try {
      removed = client.delete(x);
    } catch (PlayCounterException e) {
      return; // a failure is a correct answer: the owner's part was not removed
    }
    fail("delete(" + x + ") returned " + removed + " as a success after one lost attempt at"
        + " the owner (DELETEs it got: " + deletes.get() + ", not retried within retryFor 5 s),"
        + " which still holds " + a.count(x) + " plays; the owner is now marked down as well");
  }

  // An async call run on the executor fails in time while it waits for a thread, as a queued
  // exchange does.

  @Test
  void anAsyncCallOfASongWithSeveralServersEndsInTimeWhenQueued() throws Exception {
    Fake a = servers.fake();
    Fake b = servers.fake();
    // control: without failover the inner call fails within retryFor + requestTimeout
    PlayCounterClient direct = servers.client(builder(a.uri, b.uri).retryFor(Duration.ofMillis(200))
        .executor(servers.oneThread()));
    assertTrue(rootCause(nested(direct)) instanceof PlayCounterException,
        "control: the direct path ends the queued call in time");
    PlayCounterClient failover = servers.client(builder(a.uri, b.uri).retryFor(Duration.ofMillis(200))
        .executor(servers.oneThread()).failover(true));
    Throwable root = rootCause(nested(failover));
    assertTrue(root instanceof PlayCounterException, "with failover the queued countAsync had"
        + " not ended after 3 s (it has no time limit in the queue, unlike the direct path's"
        + " 500 ms): " + root);
  }

  /** countAsync whose callback waits up to 3 s for another countAsync of the same client. */
  private static CompletableFuture<Long> nested(PlayCounterClient client) {
    return client.countAsync("a").thenApply(count -> {
      try {
        return client.countAsync("b").get(3, TimeUnit.SECONDS);
      } catch (InterruptedException | ExecutionException | TimeoutException e) {
        throw new CompletionException(e);
      }
    });
  }

  private static Throwable rootCause(CompletableFuture<Long> future) throws Exception {
    try {
      future.get(10, TimeUnit.SECONDS);
      fail("the inner call was to fail: its thread is busy");
      return null;
    } catch (ExecutionException e) {
      Throwable cause = e;
      while (!(cause instanceof PlayCounterException) && !(cause instanceof TimeoutException)
          && cause.getCause() != null) {
        cause = cause.getCause();
      }
      return cause;
    }
  }
}
