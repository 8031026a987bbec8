package org.playcounter.client;

import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.playcounter.wire.SongId;

/**
 * The calls on one song ({@code GET}, {@code POST} and {@code DELETE /song/{id}}) on the server
 * the router names, blocking or not; a play goes through the batches when the client batches
 * plays.
 *
 * <p>Thread-safe and stateless beyond what it is given. An invalid id throws at once, before
 * anything is sent.
 */
final class SongCalls {
  private final RendezvousRouter router;
  private final ServerCalls calls;
  /** The batching of plays, or null when each play is a request of its own. */
  private final PlayBatches batches;

  SongCalls(RendezvousRouter router, ServerCalls calls, PlayBatches batches) {
    this.router = router;
    this.calls = calls;
    this.batches = batches;
  }

  /** The song's count after {@code method}: its count, the count after a play, or before removal. */
  long call(String method, String id) {
    URI server = router.serverFor(SongId.check(id));
    if (batches == null || !method.equals("POST")) {
      return calls.call(server, method, "/song/" + id, ServerCalls::parseCount);
    }
    CompletableFuture<Long> answer = batches.increment(server, id);
    try {
      return answer.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PlayCounterException(server, -1, "interrupted while waiting for the answer;"
          + " the change may or may not have been counted", e);
    } catch (ExecutionException e) {
      throw ServerCalls.unreachable(server, e);
    }
  }

  /** {@link #call} without blocking: the future fails with the {@link PlayCounterException}. */
  CompletableFuture<Long> callAsync(String method, String id) {
    URI server = router.serverFor(SongId.check(id));
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
}
