package org.playcounter.client;

import java.net.URI;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import org.playcounter.wire.CountsFormat;

/**
 * A client of one or more playcounter servers that keeps each song on the one server its
 * {@link RendezvousRouter} names and asks every server at once for the calls that span all songs.
 *
 * <p>One pool of keep-alive HTTP/1.1 connections a server (Apache HttpClient 5, shaded into the
 * client jar) carries every request: a call runs on its caller's thread, a call that asks
 * several servers sends to all of them at once from the client's executor, and plays may be
 * {@linkplain PlayCounterClientBuilder#batching batched}. Song ids are checked before anything is
 * sent. Every write carries a fresh {@code Idempotency-Key}, and writes and reads are retried,
 * the same, to the same server, as {@link PlayCounterClientBuilder#retryFor} says, so the server
 * counts each write once. No call is ever sent to another server: a failure is one
 * {@link PlayCounterException} that names the server, the status and the server's reason, with
 * partial results when several servers were asked; only a write that got no answer of its own in
 * time may or may not have been counted, and its exception says so.
 *
 * <pre>{@code
 * PlayCounterClient client = PlayCounterClient.builder()
 *     .servers(URI.create("http://10.0.0.1:8080"), URI.create("http://10.0.0.2:8080"))
 *     .build();
 * client.increment("1");                 // 1
 * Map<String, Long> some = client.counts(List.of("1", "5"));   // {1=1, 5=0}
 * Map<String, Long> all = client.counts();
 * }</pre>
 *
 * <p>Thread-safe: share one instance. Each per-song call is atomic on its server. Calls over
 * every server are not one snapshot: each server answers at its own instant, so a concurrent
 * play may or may not be in {@link #counts} (an inconsistent view), while {@link #drainAll}
 * still hands each acknowledged play to exactly one drain. The client's threads are daemons, so
 * a client that is simply dropped holds nothing up; {@link #close} frees its connections and
 * threads at once.
 */
public final class PlayCounterClient implements AutoCloseable {
  /** The server a client talks to when given none: the original's address. */
  public static final URI DEFAULT_SERVER = URI.create("http://127.0.0.1:8080");
  /** How long opening a connection may take unless set otherwise. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  /** How long each attempt of a request, its answer's body included, may take by default. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
  /** How long a call goes on retrying its server unless set otherwise: rides a restart. */
  public static final Duration DEFAULT_RETRY_FOR = Duration.ofSeconds(30);
  /** The most retries of a call unless set otherwise: none but {@link #DEFAULT_RETRY_FOR}. */
  public static final int DEFAULT_MAX_RETRIES = Integer.MAX_VALUE;
  /** The wait before the first retry unless set otherwise; each next one waits twice as long. */
  public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofMillis(50);
  /** How many connections to one server a client opens at most unless set otherwise. */
  public static final int DEFAULT_MAX_CONNECTIONS_PER_SERVER = 64;

  private final Placement placement;
  private final RendezvousRouter router;
  private final Transport transport;
  /** The client's own executor, shut down by {@link #close}; null when the caller gave one. */
  private final ExecutorService ownExecutor;
  private final SongCalls songs;
  private final FanOut fanOut;
  private final DrainProtocol drains;
  private final BulkAdd bulk;
  private final ManyCounts many;

  /** A client of {@link #DEFAULT_SERVER} with the default timeouts. */
  public PlayCounterClient() {
    this(builder());
  }

  /**
   * A client of {@code servers} with the default timeouts.
   *
   * @throws IllegalArgumentException as {@link RendezvousRouter#RendezvousRouter} does
   */
  public PlayCounterClient(List<URI> servers) {
    this(builder().servers(servers));
  }

  PlayCounterClient(PlayCounterClientBuilder settings) {
    this.placement = settings.placement();
    this.router = placement.router();
    List<URI> all = placement.servers();
    this.transport = settings.transport(all.size());
    Executor given = settings.executor();
    this.ownExecutor = given == null ? settings.ownExecutor(all.size()) : null;
    ServerCalls calls = settings.serverCalls(transport, given == null ? ownExecutor : given);
    this.songs = new SongCalls(placement, calls, settings.batches(calls, router.servers()));
    this.fanOut = new FanOut(calls, all);
    this.drains = new DrainProtocol(all, calls);
    this.many = new ManyCounts(placement, calls, fanOut);
    this.bulk = new BulkAdd(placement, calls, fanOut, many);
  }

  /** Starts a client with {@link #DEFAULT_SERVER} and the default timeouts. */
  public static PlayCounterClientBuilder builder() {
    return new PlayCounterClientBuilder();
  }

  /** The router of the current servers, which take every play; normalized base URIs. */
  public RendezvousRouter router() {
    return router;
  }

  /**
   * Every server this client reads from, drains and resets: the current servers, then the
   * {@linkplain PlayCounterClientBuilder#previousServers previous} ones not among them, as
   * normalized base URIs. The fold job drains each of them.
   */
  public List<URI> servers() {
    return placement.servers();
  }

  /**
   * How many plays {@linkplain PlayCounterClientBuilder#failover failover} sent to a song's next
   * server after an attempt at its owner may have been counted there (the answer was lost, then
   * the owner was down): each may count twice once the owner's plays are folded. Each is also
   * logged as a warning. Always 0 without failover.
   */
  public long possibleDoubles() {
    return placement.possibleDoubles();
  }

  /** The song's count on its server, 0 for a song never played. */
  public long count(String id) {
    return songs.call("GET", id);
  }

  /** {@link #count(String)} of the song whose id is {@code id}'s decimal form. */
  public long count(long id) {
    return count(Long.toString(id));
  }

  /**
   * Adds one play to the song and returns its count after it. Sent with an idempotency key and
   * retried as the class says: counted once however many attempts it took. With
   * {@link PlayCounterClientBuilder#batching} it rides in a batch with other threads' plays to
   * its server and still returns the count after its own play, distinct from theirs.
   */
  public long increment(String id) {
    return songs.call("POST", id);
  }

  /** {@link #increment(String)} of the song whose id is {@code id}'s decimal form. */
  public long increment(long id) {
    return increment(Long.toString(id));
  }

  /** Removes the song and returns the count it had, 0 if none. */
  public long delete(String id) {
    return songs.call("DELETE", id);
  }

  /** {@link #delete(String)} of the song whose id is {@code id}'s decimal form. */
  public long delete(long id) {
    return delete(Long.toString(id));
  }

  /**
   * {@link #count(String)} without waiting: the future fails with a
   * {@link PlayCounterException}. An invalid id throws at once, before anything is sent.
   */
  public CompletableFuture<Long> countAsync(String id) {
    return songs.callAsync("GET", id);
  }

  /** {@link #countAsync(String)} of the song whose id is {@code id}'s decimal form. */
  public CompletableFuture<Long> countAsync(long id) {
    return countAsync(Long.toString(id));
  }

  /**
   * {@link #increment(String)} without waiting, for callers that pipeline plays: the future
   * fails with a {@link PlayCounterException}. An invalid id throws at once. With batching,
   * cancelling the future does not take the play back.
   */
  public CompletableFuture<Long> incrementAsync(String id) {
    return songs.callAsync("POST", id);
  }

  /** {@link #incrementAsync(String)} of the song whose id is {@code id}'s decimal form. */
  public CompletableFuture<Long> incrementAsync(long id) {
    return incrementAsync(Long.toString(id));
  }

  /**
   * {@link #delete(String)} without waiting: the future fails with a
   * {@link PlayCounterException}. An invalid id throws at once.
   */
  public CompletableFuture<Long> deleteAsync(String id) {
    return songs.callAsync("DELETE", id);
  }

  /** {@link #deleteAsync(String)} of the song whose id is {@code id}'s decimal form. */
  public CompletableFuture<Long> deleteAsync(long id) {
    return deleteAsync(Long.toString(id));
  }

  /**
   * Every song with a count above zero, from every server at once. Songs live on one server
   * each; if one shows up on two (after servers were added or removed) its counts are summed.
   *
   * @throws PlayCounterException if any server failed, with the others' counts attached
   */
  public Map<String, Long> counts() {
    return fanOut.counts(fanOut.everyServer("GET", null), ServerCalls::parseCounts);
  }

  /**
   * The counts of the songs in {@code ids}, a song never played as 0: each server asked once
   * with {@code GET /?id=..} for exactly its songs, all servers at once, a server's songs split
   * over several requests only where they pass 1,000 ids or a request target of 6 KiB (see
   * {@code client.md}). Each count is its song's on its server at one instant, as
   * {@link #count(String)} reads it (pending drains included); not all at the same instant.
   *
   * @return every id once, in the order of {@code ids} (a repeat at its first place); empty,
   *     without a request, for no ids
   * @throws IllegalArgumentException for an invalid id, before anything is sent
   * @throws PlayCounterException if any server failed or answered other songs than those asked
   *     (a server older than {@code GET /?id=} lists every song); its partial results are the
   *     counts of the songs of the servers that answered
   */
  public Map<String, Long> counts(Collection<String> ids) {
    return many.counts(ids);
  }

  /**
   * Removes every song from every server at once (the original's "reset all").
   *
   * @return true if every server answered {@code OK}, false if some server answered success
   *     with any other body
   * @throws PlayCounterException if a server failed (non-2xx or unreachable); the servers not
   *     in its {@link PlayCounterException#failures} were reset
   */
  public boolean resetAll() {
    return !fanOut.every(fanOut.everyServer("DELETE", null),
        response -> response.body().equals("OK")).containsValue(false);
  }

  /**
   * Removes every song from every server at once and returns the counts removed, merged. Each
   * server's drain is atomic: a play it acknowledged is in this result or still counted, never
   * both and never neither.
   *
   * @throws PlayCounterException if any server failed; its partial results are the counts the
   *     answering servers removed, which are nowhere else now
   */
  public Map<String, Long> drainAll() {
    return fanOut.counts(fanOut.everyServer("DELETE", ServerCalls.DRAIN_PREFERENCE),
        ServerCalls::parseDrainedCounts);
  }

  /**
   * The first step of the acknowledged hand-over (the second is {@link #acknowledge}): on every
   * server, the drains still pending from an earlier call that was never acknowledged, oldest
   * first, then a new one holding every count live now. Nothing leaves a server until it is
   * acknowledged, so a caller that dies before storing the counts simply calls again. A server
   * whose limit of pending drains is reached (a 409 that names them) gets no new one this time;
   * one that never answers its {@code POST /drains} in time fails the call.
   *
   * @throws PlayCounterException naming the first server that failed; every drain stays pending
   */
  public List<PendingDrain> drain() {
    return drains.drain();
  }

  /** Every server's pending drains with their counts, oldest first per server. */
  public List<PendingDrain> pendingDrains() {
    return drains.pendingDrains();
  }

  /**
   * One server's pending drains with their counts, oldest first. A drain acknowledged by someone
   * else between the listing and its fetch is left out.
   */
  public List<PendingDrain> pendingDrains(URI server) {
    return drains.pendingDrains(server);
  }

  /** The numbers of one server's pending drains, oldest first ({@code GET /drains}). */
  public List<Long> pendingDrainNumbers(URI server) {
    return drains.pendingDrainNumbers(server);
  }

  /**
   * One pending drain again, with its counts ({@code GET /drains/{n}}).
   *
   * @throws PlayCounterException with status 404 when it is not pending (acknowledged, or never
   *     made)
   */
  public PendingDrain pendingDrain(URI server, long number) {
    return drains.pendingDrain(server, number);
  }

  /**
   * Moves every count live on {@code server} into a new pending drain ({@code POST /drains}) and
   * returns it.
   *
   * @throws PlayCounterException with status 409 when the server holds as many pending drains as
   *     it allows; status -1 when it never answered this request in time (then a drain may or
   *     may not have been made: it is pending, and the next {@link #pendingDrains} lists it)
   */
  public PendingDrain createDrain(URI server) {
    return drains.createDrain(server);
  }

  /**
   * The second step: tells the drain's server that its counts are stored, so it forgets them
   * ({@code DELETE /drains/{n}}).
   *
   * @return true when the drain was pending and is now gone; false when it was not pending
   *     (acknowledged before, or removed by a reset), which for a caller that stored it means the
   *     same
   */
  public boolean acknowledge(PendingDrain drain) {
    return drains.acknowledge(drain);
  }

  /**
   * Adds many plays in one call: the songs are grouped by server and each server gets one bulk
   * {@code POST /} with exactly its songs, all servers at once. Each server adds its pairs all
   * or none; each POST carries one {@code Idempotency-Key} and is retried with it as the class
   * says, so a server adds its pairs once however many attempts it took.
   *
   * @param plays song id to the number of plays to add, 1 to {@link CountsFormat#MAX_BULK_COUNT}
   * @return the new count of every song in {@code plays}
   * @throws IllegalArgumentException for an invalid id or count, before anything is sent
   * @throws PlayCounterException if any server failed: the servers it names added nothing, the
   *     others added theirs and their new counts are its partial results
   */
  public Map<String, Long> add(Map<String, Long> plays) {
    return bulk.add(plays);
  }

  /**
   * Closes every connection and stops the client's threads; a call still running or waiting for
   * a thread fails, a batched play not yet sent fails uncounted, and any call after this one
   * fails at once.
   */
  @Override
  public void close() {
    songs.close();
    transport.close();
    if (ownExecutor != null) {
      for (Runnable queued : ownExecutor.shutdownNow()) {
        if (queued instanceof Exchange.Queued call) {
          call.closedInQueue();
        } else if (queued instanceof ServerCalls.Task<?> task) {
          task.closedInQueue();
        }
      }
    }
  }

  @Override
  public String toString() {
    return "PlayCounterClient" + router.servers();
  }
}
