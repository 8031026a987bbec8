package org.playcounter.client;

import java.net.URI;
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
 * to the next server while the owner is down) and then a read of each other holder, one after
 * another on one thread: the answer is the count after the play over every holder that answers.
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
    if (!method.equals("POST")) {
      return gather(method, id, null);
    }
    URI owner = placement.owner(id);
    URI fallback = placement.fallback(id);
    Placement.State state = placement.state(owner);
    URI target = state == Placement.State.DOWN ? fallback : owner;
    long after;
    try {
      after = play(target, id, state == Placement.State.PROBE, batched);
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
      after = play(fallback, id, false, batched);
    }
    return plus(id, after, gather("GET", id, target));
  }

  /** One play on {@code server}: tried once for a probe, else retried, batched if it can be. */
  private long play(URI server, String id, boolean once, PlayBatches batched) {
    if (once) {
      return calls.callOnce(server, "POST", "/song/" + id, ServerCalls::parseCount);
    }
    if (batched == null) {
      return calls.call(server, "POST", "/song/" + id, ServerCalls::parseCount);
    }
    return join(server, batched.increment(server, id));
  }

  /**
   * The sum of {@code method}'s answers from each holder of the song but {@code except},
   * passing over the servers marked down; with {@code except} null, at least one must answer.
   */
  private long gather(String method, String id, URI except) {
    long sum = 0;
    PlayCounterException none = null;
    boolean answered = false;
    for (URI server : placement.holders(id)) {
      Placement.State state = server.equals(except) ? Placement.State.DOWN
          : placement.state(server);
      if (state == Placement.State.DOWN) {
        continue;
      }
      try {
        long count = state == Placement.State.PROBE
            ? calls.callOnce(server, method, "/song/" + id, ServerCalls::parseCount)
            : calls.call(server, method, "/song/" + id, ServerCalls::parseCount);
        if (state == Placement.State.PROBE) {
          placement.markUp(server);
        }
        sum = plus(id, sum, count);
        answered = true;
      } catch (PlayCounterException e) {
        if (!placement.downBy(e, calls.isClosed())) {
          throw e;
        }
        placement.markDown(server, e);
        none = e;
      }
    }
    if (except == null && !answered) {
      URI owner = placement.owner(id);
      throw new PlayCounterException(owner, -1, "every server of song " + id + " is down: "
          + placement.holders(id) + (none == null ? "" : "; the last failure: " + none.reason()),
          none);
    }
    return sum;
  }

  /** {@code a + b}, or the failure that says the song's counts sum past a long. */
  private long plus(String id, long a, long b) {
    try {
      return Math.addExact(a, b);
    } catch (ArithmeticException e) {
      throw new PlayCounterException(Map.of(id, Long.MAX_VALUE), Map.of(), Map.of(),
          placement.holders(id).size(), Set.of(id));
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
