package org.playcounter.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * The settings of a {@link PlayCounterClient}, from {@link PlayCounterClient#builder}, each checked
 * as it is set.
 *
 * <p>Not thread-safe: one thread sets it up. {@link #build} may be called more than once, and each
 * client gets its own {@code HttpClient} unless one was given; a setting it rejects throws
 * {@link IllegalArgumentException} (a null one {@link NullPointerException}) and leaves the
 * builder as it was.
 */
public final class PlayCounterClientBuilder {
  private List<URI> servers = List.of(PlayCounterClient.DEFAULT_SERVER);
  private Duration connectTimeout = PlayCounterClient.DEFAULT_CONNECT_TIMEOUT;
  private Duration requestTimeout = PlayCounterClient.DEFAULT_REQUEST_TIMEOUT;
  private Executor executor;
  private HttpClient httpClient;
  private String adminToken;
  private int maxRetries = PlayCounterClient.DEFAULT_MAX_RETRIES;
  private Duration retryBackoff = PlayCounterClient.DEFAULT_RETRY_BACKOFF;
  /** Whether a connect timeout or an executor was set, which a given HttpClient would ignore. */
  private boolean connectSettings;

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

  /** How long opening a connection may take; not allowed with {@link #httpClient}. */
  public PlayCounterClientBuilder connectTimeout(Duration connectTimeout) {
    this.connectTimeout = positive(connectTimeout, "connectTimeout");
    this.connectSettings = true;
    return this;
  }

  /**
   * How long each attempt of a request may take, its answer's body included (a server that
   * stalls mid-body is given up on then, its connection closed); a write with its retries ends
   * within {@code (1 + maxRetries)} times this.
   */
  public PlayCounterClientBuilder requestTimeout(Duration requestTimeout) {
    this.requestTimeout = positive(requestTimeout, "requestTimeout");
    return this;
  }

  /** Runs the client's own {@code HttpClient}'s tasks; not allowed with {@link #httpClient}. */
  public PlayCounterClientBuilder executor(Executor executor) {
    this.executor = Objects.requireNonNull(executor, "executor");
    this.connectSettings = true;
    return this;
  }

  /**
   * A caller's {@code HttpClient} to send every request with, instead of one of the client's
   * own; it brings its own connect timeout, executor and connection pool.
   */
  public PlayCounterClientBuilder httpClient(HttpClient httpClient) {
    this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
    return this;
  }

  /**
   * How many times a write (a play, a bulk add, a drain) is sent again, with the same
   * {@code Idempotency-Key} to the same server, after an I/O failure, a timeout or a 503; 0
   * sends each once. A 409 with {@code Retry-After} (the server still works on an earlier
   * attempt) is asked again after that wait, at least the growing backoff, without using up a
   * retry, as long as the call's time allows.
   */
  public PlayCounterClientBuilder maxRetries(int maxRetries) {
    if (maxRetries < 0 || maxRetries > 10) {
      throw new IllegalArgumentException("maxRetries not in 0..10: " + maxRetries);
    }
    this.maxRetries = maxRetries;
    return this;
  }

  /**
   * The wait before the first retry; each next one waits twice as long, plus up to half again
   * at random, so that clients that failed together do not retry together.
   */
  public PlayCounterClientBuilder retryBackoff(Duration retryBackoff) {
    this.retryBackoff = positive(retryBackoff, "retryBackoff");
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
   *     rejects them, or an {@code HttpClient} was given together with a connect timeout or an
   *     executor it would ignore
   */
  public PlayCounterClient build() {
    if (httpClient != null && connectSettings) {
      throw new IllegalArgumentException(
          "connectTimeout and executor belong to the given HttpClient: " + httpClient);
    }
    return new PlayCounterClient(this);
  }

  /** The router of the servers set. */
  RendezvousRouter router() {
    return new RendezvousRouter(servers);
  }

  /** The calls of a new client: over the given {@code HttpClient}, else one of its own. */
  ServerCalls serverCalls() {
    HttpClient http = httpClient;
    if (http == null) {
      HttpClient.Builder own = HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(connectTimeout);
      if (executor != null) {
        own.executor(executor);
      }
      http = own.build();
    }
    return new ServerCalls(http, requestTimeout,
        adminToken == null ? null : "Bearer " + adminToken, maxRetries, retryBackoff);
  }

  private static Duration positive(Duration duration, String name) {
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException(name + " <= 0: " + duration);
    }
    return duration;
  }
}
