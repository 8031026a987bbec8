package org.playcounter.client;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Batched plays ({@link PlayCounterClientBuilder#batching}): concurrent increments bound for one
 * server ride together in one keyed bulk {@code POST /}, and each still gets the count after its
 * own play.
 *
 * <p>Implementation notes. Each server has a lane holding at most one open batch. A play joins
 * it, and the batch is sent at once when it is full, or when the server has no batch in flight
 * (so a lone play waits for nothing), or else when the linger time after its first play is up,
 * or when the batch before it comes back, whichever is first: a play never waits longer than the
 * linger before it is sent. While a batch is on the wire the next one fills, so its size follows
 * the load, the way Nagle's algorithm and Kafka's {@code linger.ms} do it. A batch is one bulk
 * body of {@code id=plays} lines with one {@code Idempotency-Key}, retried with it like any
 * write, so it counts once however many attempts it took. The server answers each song's new
 * count T; the k plays of that song in the batch, in the order they joined it, get
 * {@code T-k+1 ... T}: exact, because the server adds the k plays in one step, and distinct.
 * A bulk body is added all or none, so when the server refuses it for what a play is (a count
 * that would overflow, a new song past its limit), each play is sent again as a keyed request of
 * its own and only the plays the server refuses alone fail. Thread-safe: a lane's state is guarded by
 * the lane.
 */
final class PlayBatches {
  private final ServerCalls calls;
  private final long lingerNanos;
  private final int maxPlays;
  private final Map<URI, Lane> lanes = new LinkedHashMap<>();

  PlayBatches(ServerCalls calls, List<URI> servers, Duration linger, int maxPlays) {
    this.calls = calls;
    this.lingerNanos = linger.toNanos();
    this.maxPlays = maxPlays;
    for (URI server : servers) {
      lanes.put(server, new Lane(server));
    }
  }

  /** One play of song {@code id} (already checked) on {@code server}; its count after it. */
  CompletableFuture<Long> increment(URI server, String id) {
    return lanes.get(server).add(id);
  }

  /** Fails every play not yet sent: the client is closing, so none of them is counted. */
  void close() {
    for (Lane lane : lanes.values()) {
      lane.close();
    }
  }

  /** The plays bound for one server. */
  private final class Lane {
    private final URI server;
    /** The batch filling now, or null; guarded by this. */
    private Batch open;
    /** How many of this lane's batches are on the wire; guarded by this. */
    private int inFlight;
    /** Set by {@link #close}; guarded by this. */
    private boolean closed;

    Lane(URI server) {
      this.server = server;
    }

    CompletableFuture<Long> add(String id) {
      CompletableFuture<Long> answer = new CompletableFuture<>();
      Batch ready = null;
      synchronized (this) {
        if (closed) {
          answer.completeExceptionally(closedFailure());
          return answer;
        }
        if (open == null) {
          open = new Batch();
        }
        open.add(id, answer);
        if (open.size() >= maxPlays || inFlight == 0) {
          ready = take();
        } else if (open.size() == 1) {
          Batch lingering = open;
          lingering.timer = calls.transport().timer().schedule(() -> lingered(lingering),
              lingerNanos, TimeUnit.NANOSECONDS);
        }
      }
      send(ready);
      return answer;
    }

    /** The open batch, now on its way; the caller holds the lock and sends it. */
    private Batch take() {
      Batch taken = open;
      open = null;
      inFlight++;
      if (taken.timer != null) {
        taken.timer.cancel(false);
      }
      return taken;
    }

    private void lingered(Batch batch) {
      Batch ready = null;
      synchronized (this) {
        if (open == batch) {
          ready = take();
        }
      }
      send(ready);
    }

    /** A batch came back: the one filling behind it goes now. */
    private void returned() {
      Batch ready = null;
      synchronized (this) {
        inFlight--;
        if (open != null && !closed) {
          ready = take();
        }
      }
      send(ready);
    }

    private void send(Batch batch) {
      if (batch == null) {
        return;
      }
      post(batch).whenComplete((counts, failure) -> {
        returned();
        if (failure == null) {
          batch.answer(server, counts);
        } else if (refusedForWhatItHolds(failure) && batch.size() > 1) {
          batch.bySong().forEach((id, plays) -> sendAlone(id, plays, 0));
        } else {
          batch.fail(ServerCalls.unreachable(server, failure));
        }
      });
    }

    /**
     * The plays of one song of a refused batch, each a keyed {@code POST /song/{id}} of its own,
     * one after another in the order they joined, from {@code next} on: the first of them that
     * fits counts first.
     */
    private void sendAlone(String id, List<CompletableFuture<Long>> plays, int next) {
      if (next == plays.size()) {
        return;
      }
      calls.sendAsync(server, calls.request(server, "/song/" + id, "POST", null, null).keyed(),
          ServerCalls::parseCount).whenComplete((count, failure) -> {
            if (failure == null) {
              plays.get(next).complete(count);
            } else {
              plays.get(next).completeExceptionally(ServerCalls.unreachable(server, failure));
            }
            sendAlone(id, plays, next + 1);
          });
    }

    /** The batch as one keyed bulk {@code POST /} on the client's executor. */
    private CompletableFuture<Map<String, Long>> post(Batch batch) {
      return calls.sendAsync(server, calls.request(server, "/", "POST", null,
          BulkAdd.textBody(batch.plays)).keyed(), ServerCalls::parseCounts);
    }

    private void close() {
      Batch unsent;
      synchronized (this) {
        closed = true;
        unsent = open;
        open = null;
      }
      if (unsent != null) {
        if (unsent.timer != null) {
          unsent.timer.cancel(false);
        }
        unsent.fail(closedFailure());
      }
    }

    private PlayCounterException closedFailure() {
      return new PlayCounterException(server, -1, "the client is closed; the play was not sent",
          null);
    }
  }

  /**
   * Whether the server refused the whole batch for what its plays are, so that each may count
   * alone: 409 (a count that would pass 2^63-1; one still being processed was waited for), 413
   * (a body past {@code max-body-bytes}) or 507 (a new song past {@code max-songs}). Any other
   * refusal (a 503, a 429 of a rate limiter, a 401 or 404 of a proxy) would refuse each play the
   * same way.
   */
  private static boolean refusedForWhatItHolds(Throwable failure) {
    int status = ServerCalls.unreachable(null, failure).status();
    return status == 409 || status == 413 || status == 507;
  }

  /** Plays sent together, in the order they joined. */
  private static final class Batch {
    private final List<String> ids = new ArrayList<>();
    private final List<CompletableFuture<Long>> answers = new ArrayList<>();
    /** The bulk body: each song's plays in this batch, in order of first play. */
    private final Map<String, Long> plays = new LinkedHashMap<>();
    /** The linger timer, set while the batch fills behind one in flight. */
    private ScheduledFuture<?> timer;

    void add(String id, CompletableFuture<Long> answer) {
      ids.add(id);
      answers.add(answer);
      plays.merge(id, 1L, Long::sum);
    }

    int size() {
      return ids.size();
    }

    /** Gives the k plays of each song the counts {@code T-k+1 ... T} in the order they joined. */
    void answer(URI server, Map<String, Long> counts) {
      Map<String, Long> next = new LinkedHashMap<>();
      for (int i = 0; i < ids.size(); i++) {
        String id = ids.get(i);
        Long total = counts.get(id);
        if (total == null || total < plays.get(id)) {
          answers.get(i).completeExceptionally(new PlayCounterException(server, 200,
              "unexpected answer: no count of at least " + plays.get(id) + " for song " + id
                  + " in the batch's answer", null));
          continue;
        }
        long count = next.merge(id, total - plays.get(id) + 1, (last, one) -> last + 1);
        answers.get(i).complete(count);
      }
    }

    /** Each song's plays, in the order they joined. */
    Map<String, List<CompletableFuture<Long>>> bySong() {
      Map<String, List<CompletableFuture<Long>>> songs = new LinkedHashMap<>();
      for (int i = 0; i < ids.size(); i++) {
        songs.computeIfAbsent(ids.get(i), id -> new ArrayList<>()).add(answers.get(i));
      }
      return songs;
    }

    void fail(PlayCounterException failure) {
      for (CompletableFuture<Long> answer : answers) {
        answer.completeExceptionally(failure);
      }
    }
  }
}
