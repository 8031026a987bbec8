package org.playcounter.client;

import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The settings of a {@link PlayCounterClient}, from {@link PlayCounterClient#builder}, each checked
 * as it is set.
 *
 * <p>Not thread-safe: one thread sets it up. {@link #build} may be called more than once, and each
 * client gets its own connections and threads; a setting it rejects throws
 * {@link IllegalArgumentException} (a null one {@link NullPointerException}) and leaves the
 * builder as it was.
 */
public final class PlayCounterClientBuilder {
  /** The most plays {@link #batching} puts in one batch. */
  public static final int MAX_BATCH_PLAYS = 4096;

  private List<URI> servers = List.of(PlayCounterClient.DEFAULT_SERVER);
  /** The list before the last membership change; empty for none. */
  private List<URI> previousServers = List.of();
  private boolean failover;
  private Duration connectTimeout = PlayCounterClient.DEFAULT_CONNECT_TIMEOUT;
  private Duration requestTimeout = PlayCounterClient.DEFAULT_REQUEST_TIMEOUT;
  private Executor executor;
  private int maxConnectionsPerServer = PlayCounterClient.DEFAULT_MAX_CONNECTIONS_PER_SERVER;
  private String adminToken;
  private Duration retryFor = PlayCounterClient.DEFAULT_RETRY_FOR;
  private int maxRetries = PlayCounterClient.DEFAULT_MAX_RETRIES;
  private Duration retryBackoff = PlayCounterClient.DEFAULT_RETRY_BACKOFF;
  /** How long a batched play may wait for others; null when plays are not batched. */
  private Duration batchLinger;
  private int batchMaxPlays;

  PlayCounterClientBuilder() {}

  /** The servers' base URIs, each {@code http(s)://host[:port][/context-path]}. */
  public PlayCounterClientBuilder servers(List<URI> servers) {
    this.servers = List.copyOf(servers);
    return this;
  }

  /** The servers' base URIs, each {@code http(s)://host[:port][/context-path]}. */
  public PlayCounterClientBuilder servers(URI... servers) {
    return servers(Arrays.asList(servers));
  }

  /**
   * The server list before the last change of membership, while its songs' counts are still on
   * the servers they moved from: a song whose server differs between this list and
   * {@link #servers} is read from both, its counts summed ({@code count}, {@code counts(ids)},
   * and the answers of {@code increment} and {@code add}), while its plays go to its current
   * server; the calls over every server ({@code counts()}, the drains, the resets) ask the
   * servers of both lists. So adding or removing a server shows no drop. Once the fold job has
   * drained every server of both lists, the previous list can go. None by default; an empty
   * list sets none. See the client docs for the procedures.
   *
   * @throws IllegalArgumentException as {@link RendezvousRouter#RendezvousRouter} does, for a
   *     non-empty list
   */
  public PlayCounterClientBuilder previousServers(List<URI> previousServers) {
    List<URI> copy = List.copyOf(previousServers);
    if (!copy.isEmpty()) {
      new RendezvousRouter(copy);
    }
    this.previousServers = copy;
    return this;
  }

  /** {@link #previousServers(List)} of the URIs given. */
  public PlayCounterClientBuilder previousServers(URI... previousServers) {
    return previousServers(Arrays.asList(previousServers));
  }

  /**
   * Whether a song's plays go on to its next server while its own is down, off by default. With
   * it on, a play whose server gave no answer (or only 503s) within {@link #retryFor} is sent to
   * the next server of the song's rendezvous order (the one that would own it were its server
   * removed), and that server is passed over at once by later calls, each second one call trying
   * it again; every read of a song also asks its next server and adds what it holds. A lost
   * server's songs so keep counting, and the fold job, draining every server, still brings every
   * play to the database. During the outage a read shows the owner's count only as long as the
   * owner answers: while it is down, only the plays counted since on the next server. Covers one
   * server down at a time: a song whose next server is down too fails. A play whose answer was
   * lost and whose server then went down may count twice ({@link PlayCounterClient#possibleDoubles}).
   * Costs one more read per call when every server is up (see the client docs). Needs two or
   * more servers; with one it does nothing.
   */
  public PlayCounterClientBuilder failover(boolean failover) {
    this.failover = failover;
    return this;
  }

  /** How long opening a connection may take. */
  public PlayCounterClientBuilder connectTimeout(Duration connectTimeout) {
    this.connectTimeout = positive(connectTimeout, "connectTimeout");
    return this;
  }

  /**
   * How long each attempt of a request may take, its answer's body included (a server that
   * stalls mid-body is given up on then, its connection closed); a call with its retries ends
   * within {@link #retryFor} plus this.
   */
  public PlayCounterClientBuilder requestTimeout(Duration requestTimeout) {
    this.requestTimeout = positive(requestTimeout, "requestTimeout");
    return this;
  }

  /**
   * Runs the calls that do not block their caller (the {@code ...Async} methods, the requests
   * of a call that asks several servers, the batches of {@link #batching}), one a thread while
   * it waits for its answer; by default a pool of at most {@link #maxConnectionsPerServer} times
   * the servers daemon threads, which end after a minute unused. A given executor is the
   * caller's to shut down.
   */
  public PlayCounterClientBuilder executor(Executor executor) {
    this.executor = Objects.requireNonNull(executor, "executor");
    return this;
  }

  /**
   * The most keep-alive connections open to one server at once, 64 by default; a call that finds
   * them all busy waits for one, within its {@link #requestTimeout}.
   */
  public PlayCounterClientBuilder maxConnectionsPerServer(int maxConnectionsPerServer) {
    if (maxConnectionsPerServer < 1 || maxConnectionsPerServer > 10_000) {
      throw new IllegalArgumentException("maxConnectionsPerServer not in 1..10000: "
          + maxConnectionsPerServer);
    }
    this.maxConnectionsPerServer = maxConnectionsPerServer;
    return this;
  }

  /**
   * How long a call goes on retrying its server: a read, or a write with its
   * {@code Idempotency-Key} (a play, a bulk add, a drain), is sent again, the same, to the same
   * server after an I/O failure (a refused or reset connection), a timeout or a 503, until this
   * much time has passed since the call began; then it fails. So a call rides through a restart of
   * its server: it waits, it does not fail. 30 s by default, which rides a restart after a crash at
   * 10 million songs with room to spare (3.3 s to {@code /health} 200; see the durability docs).
   * Zero sends each request once. A 409 with {@code Retry-After} (the server still works on an
   * earlier attempt) is asked again after that wait, at least the growing backoff, within the
   * same time. No attempt starts later, so a call ends within this plus {@link #requestTimeout}.
   *
   * @param retryFor 0 to 1 hour
   */
  public PlayCounterClientBuilder retryFor(Duration retryFor) {
    if (retryFor.isNegative() || retryFor.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException("retryFor not in 0..1 h: " + retryFor);
    }
    this.retryFor = retryFor;
    return this;
  }

  /**
   * The most times a call is sent again within {@link #retryFor}; no limit but that time by
   * default. 0 sends each request once.
   */
  public PlayCounterClientBuilder maxRetries(int maxRetries) {
    if (maxRetries < 0) {
      throw new IllegalArgumentException("maxRetries < 0: " + maxRetries);
    }
    this.maxRetries = maxRetries;
    return this;
  }

  /**
   * The wait before the first retry; each next one waits twice as long, up to a second, plus up
   * to half again at random, so that clients that failed together do not retry together.
   */
  public PlayCounterClientBuilder retryBackoff(Duration retryBackoff) {
    this.retryBackoff = positive(retryBackoff, "retryBackoff");
    return this;
  }

  /**
   * Batches plays: concurrent {@code increment}s (and {@code incrementAsync}s) bound for one
   * server ride together in one keyed bulk {@code POST /} of up to {@code maxPlays} plays, and
   * each still returns the count after its own play, exact and distinct. A batch goes at once
   * when it is full or when its server has no batch in flight, else when the one in flight comes
   * back or {@code linger} after its first play, whichever is first: a play waits at most
   * {@code linger} before it is sent. Off by default; see the client docs for what it gains.
   *
   * @param linger how long a play may wait for others, more than 0 and at most 1 s
   * @param maxPlays the most plays in one batch, 1 to {@link #MAX_BATCH_PLAYS} (4,096 plays of
   *     ids of 128 characters fit the server's default {@code max-body-bytes})
   */
  public PlayCounterClientBuilder batching(Duration linger, int maxPlays) {
    positive(linger, "linger");
    if (linger.compareTo(Duration.ofSeconds(1)) > 0) {
      throw new IllegalArgumentException("linger > 1 s: " + linger);
    }
    if (maxPlays < 1 || maxPlays > MAX_BATCH_PLAYS) {
      throw new IllegalArgumentException("maxPlays not in 1.." + MAX_BATCH_PLAYS + ": "
          + maxPlays);
    }
    this.batchLinger = linger;
    this.batchMaxPlays = maxPlays;
    return this;
  }

  /** The token of servers that set {@code admin-token}; sent as a bearer token with DELETEs. */
  public PlayCounterClientBuilder adminToken(String adminToken) {
    this.adminToken = Objects.requireNonNull(adminToken, "adminToken");
    return this;
  }

  /**
   * Builds the client.
   *
   * @throws IllegalArgumentException if the servers are rejected as {@link RendezvousRouter#RendezvousRouter}
   *     rejects them
   */
  public PlayCounterClient build() {
    return new PlayCounterClient(this);
  }

  /** Where the songs of a new client live: the servers set, the previous ones, failover. */
  Placement placement() {
    RendezvousRouter current = new RendezvousRouter(servers);
    RendezvousRouter previous = previousServers.isEmpty() ? null
        : new RendezvousRouter(previousServers);
    if (previous != null && Set.copyOf(previous.servers()).equals(Set.copyOf(current.servers()))) {
      previous = null;
    }
    return new Placement(current, previous, failover);
  }

  /** The connections of a new client to {@code servers} servers. */
  Transport transport(int servers) {
    return new Transport(connectTimeout, maxConnectionsPerServer, servers);
  }

  /** The executor set, or null for the client's own. */
  Executor executor() {
    return executor;
  }

  /**
   * The client's own executor: daemon threads, at most one a connection it may open, each
   * ending after a minute unused, and a queue for calls beyond them.
   */
  ThreadPoolExecutor ownExecutor(int servers) {
    int threads = (int) Math.min(1024, (long) maxConnectionsPerServer * servers);
    AtomicInteger made = new AtomicInteger();
    ThreadPoolExecutor own = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), runnable -> {
          Thread thread = new Thread(runnable, "playcounter-client-" + made.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
    own.allowCoreThreadTimeOut(true);
    return own;
  }

  /** The calls of a new client over {@code transport}, asynchronous ones on {@code executor}. */
  ServerCalls serverCalls(Transport transport, Executor executor) {
    return new ServerCalls(transport, executor, requestTimeout,
        adminToken == null ? null : "Bearer " + adminToken, retryFor, maxRetries, retryBackoff);
  }

  /** The batching of a new client's plays, or null when they are not batched. */
  PlayBatches batches(ServerCalls calls, List<URI> servers) {
    return batchLinger == null ? null
        : new PlayBatches(calls, servers, batchLinger, batchMaxPlays);
  }

  private static Duration positive(Duration duration, String name) {
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException(name + " <= 0: " + duration);
    }
    return duration;
  }
}
