package org.playcounter.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.playcounter.wire.CountsFormat;
import org.playcounter.wire.MalformedCountsException;

/**
 * One request to one server and its answer: the request built (timeout, {@code Accept}, the
 * admin token where it is needed, an {@code Idempotency-Key} on writes), sent by an
 * {@link Exchange}, and read.
 *
 * <p>Immutable and thread-safe: every call has its own {@code Exchange}, and the shared
 * {@code HttpClient} is thread-safe. On failure (an answer outside 2xx, one that does not parse,
 * no answer in time, an interrupt) it throws, or fails the future with, the one
 * {@link PlayCounterException} that names the server, the status and the reason.
 */
final class ServerCalls {
  /** The {@code Prefer} value that makes {@code DELETE /} a drain that answers what it removed. */
  static final String DRAIN_PREFERENCE = "return=representation";
  private static final String IDEMPOTENCY_KEY = "Idempotency-Key";
  private static final SecureRandom KEYS = new SecureRandom();

  private final HttpClient http;
  private final Duration requestTimeout;
  /** The {@code Authorization} header value sent with every DELETE and drain; null for none. */
  private final String authorization;
  private final int maxRetries;
  private final Duration retryBackoff;

  ServerCalls(HttpClient http, Duration requestTimeout, String authorization, int maxRetries,
      Duration retryBackoff) {
    this.http = http;
    this.requestTimeout = requestTimeout;
    this.authorization = authorization;
    this.maxRetries = maxRetries;
    this.retryBackoff = retryBackoff;
  }

  HttpRequest.Builder request(URI server, String path, String method, String prefer,
      BodyPublisher body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server + path))
        .method(method, body)
        .timeout(requestTimeout)
        .header("Accept", "text/plain");
    if (prefer != null) {
      request.header("Prefer", prefer);
    }
    if (authorization != null && (method.equals("DELETE") || path.startsWith("/drains"))) {
      request.header("Authorization", authorization);
    }
    return request;
  }

  /**
   * Sends a request without a body to {@code server} and reads its answer, as {@link #send} and
   * {@link #answer} do; a POST carries a fresh {@code Idempotency-Key}, so it is retried.
   */
  <T> T call(URI server, String method, String path, Reader<T> reader) {
    return answer(server, send(server, bodiless(server, method, path)), reader);
  }

  /** {@link #call} without blocking, as {@link #sendAsync} sends. */
  <T> CompletableFuture<T> callAsync(URI server, String method, String path, Reader<T> reader) {
    return sendAsync(server, bodiless(server, method, path), reader);
  }

  private HttpRequest bodiless(URI server, String method, String path) {
    HttpRequest.Builder request = request(server, path, method, null, BodyPublishers.noBody());
    return (method.equals("POST") ? keyed(request) : request).build();
  }

  /** Adds a fresh random {@code Idempotency-Key}: 128 bits, base64url. */
  static HttpRequest.Builder keyed(HttpRequest.Builder request) {
    byte[] key = new byte[16];
    KEYS.nextBytes(key);
    return request.header(IDEMPOTENCY_KEY,
        Base64.getUrlEncoder().withoutPadding().encodeToString(key));
  }

  /** True for a request that carries a key, which is what makes sending it again safe. */
  private static boolean retriable(HttpRequest request) {
    return request.headers().firstValue(IDEMPOTENCY_KEY).isPresent();
  }

  /**
   * Sends a request and returns its answer, as {@link Exchange} does: each attempt bounded in
   * time, its body included, and a keyed one sent again, the same, to the same server.
   *
   * @throws PlayCounterException when no answer came in time; for a keyed write it says that
   *     the change may or may not have been counted
   */
  HttpResponse<String> send(URI server, HttpRequest request) {
    CompletableFuture<HttpResponse<String>> exchange = exchange(server, request);
    try {
      return exchange.get();
    } catch (ExecutionException e) {
      throw unreachable(server, e);
    } catch (InterruptedException e) {
      exchange.cancel(true);
      Thread.currentThread().interrupt();
      throw new PlayCounterException(server, -1, "interrupted while waiting for the answer"
          + (retriable(request) ? "; the change may or may not have been counted" : ""), e);
    }
  }

  /**
   * Sends one request without blocking, a keyed one again as {@link #send} does; the future
   * fails with the request's {@link PlayCounterException}.
   */
  <T> CompletableFuture<T> sendAsync(URI server, HttpRequest request, Reader<T> reader) {
    CompletableFuture<HttpResponse<String>> exchange = exchange(server, request);
    CompletableFuture<T> answer = exchange.thenApply(response -> answer(server, response, reader));
    // a caller that cancels the answer cancels the call: its attempt and any retry after it
    answer.whenComplete((value, failure) -> {
      if (failure instanceof java.util.concurrent.CancellationException) {
        exchange.cancel(true);
      }
    });
    return answer;
  }

  private CompletableFuture<HttpResponse<String>> exchange(URI server, HttpRequest request) {
    return Exchange.start(http, server, request, retriable(request), requestTimeout, maxRetries,
        retryBackoff);
  }

  /** Checks the status and reads a 2xx body; anything else is the server's failure. */
  static <T> T answer(URI server, HttpResponse<String> response, Reader<T> reader) {
    int status = response.statusCode();
    if (status < 200 || status > 299) {
      throw new PlayCounterException(server, status, reason(response.body(), status), null);
    }
    try {
      return reader.read(response);
    } catch (MalformedCountsException | NumberFormatException e) {
      throw new PlayCounterException(server, status, "unexpected answer: " + e.getMessage(), e);
    }
  }

  /** The first line of an error body, which the service keeps to one line anyway. */
  private static String reason(String body, int status) {
    String line = body == null ? "" : body.strip().lines().findFirst().orElse("");
    if (line.isEmpty()) {
      return "HTTP " + status + " with no reason given";
    }
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }

  static PlayCounterException unreachable(URI server, Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof PlayCounterException known) {
      return known;
    }
    String what = cause.getClass().getSimpleName();
    return new PlayCounterException(server, -1,
        cause.getMessage() == null ? what : what + ": " + cause.getMessage(), cause);
  }

  static long parseCount(HttpResponse<String> response) {
    long count = Long.parseLong(response.body());
    if (count < 0) {
      throw new NumberFormatException("negative count: " + count);
    }
    return count;
  }

  static Map<String, Long> parseCounts(HttpResponse<String> response)
      throws MalformedCountsException {
    return CountsFormat.TEXT.parseListing(response.body());
  }

  /**
   * The counts a one-step drain ({@code DELETE /} with {@link #DRAIN_PREFERENCE}) removed; an
   * answer without {@code Preference-Applied} is a plain reset, whose counts are gone.
   */
  static Map<String, Long> parseDrainedCounts(HttpResponse<String> response)
      throws MalformedCountsException {
    if (!response.headers().allValues("Preference-Applied").contains(DRAIN_PREFERENCE)) {
      throw new MalformedCountsException("no Preference-Applied: " + DRAIN_PREFERENCE
          + ", so the server did a plain reset and its counts are gone");
    }
    return parseCounts(response);
  }

  /** A list of drain numbers, {@code 3,4}, or an empty body. */
  static List<Long> parseNumbers(HttpResponse<String> response)
      throws MalformedCountsException {
    String body = response.body().strip();
    List<Long> numbers = new ArrayList<>();
    if (!body.isEmpty()) {
      for (String number : body.split(",", -1)) {
        try {
          numbers.add(Long.parseLong(number));
        } catch (NumberFormatException e) {
          throw new MalformedCountsException("not a list of drain numbers: " + body);
        }
      }
    }
    return numbers;
  }

  /** Reads a 2xx answer; a body it cannot read is the server's failure. */
  @FunctionalInterface
  interface Reader<T> {
    T read(HttpResponse<String> response) throws MalformedCountsException;
  }
}
