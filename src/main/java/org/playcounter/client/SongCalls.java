package org.playcounter.client;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.playcounter.wire.SongId;

/**
 * The calls on one song ({@code GET}, {@code POST} and {@code DELETE /song/{id}}), blocking or
 * not: on the one server the router names, or, while a song may have several
 * {@linkplain Placement#holders holders}, on each of them with their counts summed; a play goes
 * through the batches when the client batches plays.
 *
 * <p>Implementation notes. A song with several holders is a play to its owner (or, with failover,
 * to the next server while the owner is down) and then a read of each of the
 * {@linkplain Placement#others other holders} that count in its answer, one after another on one
 * thread; a read asks every holder that is not marked down and sums what they answer.
 * The asynchronous form runs that on a thread of the client's executor, unbatched, because the
 * batches need the executor's threads to send and a call waiting there for them could starve
 * them. Thread-safe and stateless beyond what it is given. An invalid id throws at once, before
 * anything is sent.
 */
final class SongCalls {
  private final Placement placement;
  private final ServerCalls calls;
  /** The batching of plays, or null when each play is a request of its own. */
  private final PlayBatches batches;

  SongCalls(Placement placement, ServerCalls calls, PlayBatches batches) {
    this.placement = placement;
    this.calls = calls;
    this.batches = batches;
  }

  /** The song's count after {@code method}: its count, the count after a play, or before removal. */
  long call(String method, String id) {
    SongId.check(id);
    if (!placement.direct()) {
      return spread(method, id, batches);
    }
    URI server = placement.owner(id);
    if (batches == null || !method.equals("POST")) {
      return calls.call(server, method, "/song/" + id, ServerCalls::parseCount);
    }
    return join(server, batches.increment(server, id));
  }

  /** {@link #call} without blocking: the future fails with the {@link PlayCounterException}. */
  CompletableFuture<Long> callAsync(String method, String id) {
    SongId.check(id);
    URI server = placement.owner(id);
    if (!placement.direct()) {
      return calls.onExecutor(server, () -> spread(method, id, null));
    }
    if (batches == null || !method.equals("POST")) {
      return calls.callAsync(server, method, "/song/" + id, ServerCalls::parseCount);
    }
    return batches.increment(server, id);
  }

  /** Fails the plays not yet sent, as the client closes. */
  void close() {
    if (batches != null) {
      batches.close();
    }
  }

  /** {@link #call} of a song that may have several holders. */
  private long spread(String method, String id, PlayBatches batched) {
    switch (method) {
      case "GET" -> {
        return read(id);
      }
      case "DELETE" -> {
        return remove(id);
      }
      default -> {
        return play(id, batched);
      }
    }
  }

  /**
   * A play: to the owner, or with failover to the next server while the owner is down or once
   * it gave no answer in time. Its answer adds what the {@linkplain Placement#others other
   * holders} answer; one that fails to is left out of it, since the play is counted all the
   * same and a failure would have its caller play it again, and a sum past a long is held at
   * {@link Long#MAX_VALUE}.
   */
  private long play(String id, PlayBatches batched) {
    URI owner = placement.owner(id);
    URI fallback = placement.fallback(id);
    Placement.State state = placement.state(owner);
    URI target = state == Placement.State.DOWN ? fallback : owner;
    long after;
    try {
      after = post(target, id, state == Placement.State.PROBE, batched);
      if (state == Placement.State.PROBE) {
        placement.markUp(owner);
      }
    } catch (PlayCounterException e) {
      if (!target.equals(owner) || !placement.downBy(e, calls.isClosed())) {
        throw e;
      }
      placement.markDown(owner, e);
      if (e.mayHaveCounted()) {
        placement.possibleDouble(id, owner, fallback);
      }
      target = fallback;
      try {
        after = post(fallback, id, false, batched);
      } catch (PlayCounterException again) {
        if (!e.mayHaveCounted() || again.mayHaveCounted()) {
          throw again;
        }
        throw new PlayCounterException(fallback, again.status(), again.reason() + "; sent first"
            + " to " + owner + ", which got it and gave no answer: the play may or may not have"
            + " been counted", again, true);
      }
    }
    for (URI other : placement.others(id, target)) {
      try {
        Long count = ask(other, "GET", id);
        if (count != null) {
          after = after > Long.MAX_VALUE - count ? Long.MAX_VALUE : after + count;
        }
      } catch (PlayCounterException e) {
        // left out of the answer: the play is counted
      }
    }
    return after;
  }

  /** One play on {@code server}: tried once for a probe, else retried, batched if it can be. */
  private long post(URI server, String id, boolean once, PlayBatches batched) {
    if (once) {
      return calls.callOnce(server, "POST", "/song/" + id, ServerCalls::parseCount);
    }
    if (batched == null) {
      return calls.call(server, "POST", "/song/" + id, ServerCalls::parseCount);
    }
    return join(server, batched.increment(server, id));
  }

  /** The sum of the song's counts on its holders that are not marked down; one must answer. */
  private long read(String id) {
    long sum = 0;
    boolean answered = false;
    List<URI> holders = placement.holders(id);
    for (URI server : holders) {
      Long count = ask(server, "GET", id);
      if (count != null) {
        answered = true;
        sum = plus(id, sum, count, holders.size());
      }
    }
    if (!answered) {
      throw new PlayCounterException(holders.get(0), -1, "every server of song " + id
          + " is down (failover passes them over): " + holders, null);
    }
    return sum;
  }

  /**
   * Removes the song from every holder, marked down or not, and answers the counts removed,
   * summed: a delete passes no server over, or the song would come back with it.
   *
   * @throws PlayCounterException from the first holder that failed, or, when the song was
   *     already removed from some, naming it in its failures with what they removed as results
   */
  private long remove(String id) {
    long sum = 0;
    Map<URI, Map<String, Long>> done = new LinkedHashMap<>();
    List<URI> holders = placement.holders(id);
    for (URI server : holders) {
      try {
        long removed = calls.call(server, "DELETE", "/song/" + id, ServerCalls::parseCount);
        sum = sum > Long.MAX_VALUE - removed ? Long.MAX_VALUE : sum + removed;
        done.put(server, Map.of(id, removed));
      } catch (PlayCounterException e) {
        if (done.isEmpty()) {
          throw e;
        }
        // what the servers before it removed is in the results: it is nowhere else now
        throw new PlayCounterException(Map.of(id, sum), done, Map.of(server, e), holders.size(),
            Set.of());
      }
    }
    return sum;
  }

  /**
   * {@code method} on the song at one server, tried once while it is due a probe; null when the
   * server is marked down and passed over, or failed as failover marks it down.
   *
   * @throws PlayCounterException for any other failure
   */
  private Long ask(URI server, String method, String id) {
    Placement.State state = placement.state(server);
    if (state == Placement.State.DOWN) {
      return null;
    }
    try {
      long count = state == Placement.State.PROBE
          ? calls.callOnce(server, method, "/song/" + id, ServerCalls::parseCount)
          : calls.call(server, method, "/song/" + id, ServerCalls::parseCount);
      if (state == Placement.State.PROBE) {
        placement.markUp(server);
      }
      return count;
    } catch (PlayCounterException e) {
      if (!placement.downBy(e, calls.isClosed())) {
        throw e;
      }
      placement.markDown(server, e);
      return null;
    }
  }

  /** {@code a + b}, or the failure that says the song's counts sum past a long. */
  private static long plus(String id, long a, long b, int servers) {
    try {
      return Math.addExact(a, b);
    } catch (ArithmeticException e) {
      throw new PlayCounterException(Map.of(id, Long.MAX_VALUE), Map.of(), Map.of(), servers,
          Set.of(id));
    }
  }

  private static long join(URI server, CompletableFuture<Long> answer) {
    try {
      return answer.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PlayCounterException(server, -1, "interrupted while waiting for the answer;"
          + " the change may or may not have been counted", e, true);
    } catch (ExecutionException e) {
      throw ServerCalls.unreachable(server, e);
    }
  }
}
