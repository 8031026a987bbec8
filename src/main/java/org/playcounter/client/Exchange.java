package org.playcounter.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One call to one server, attempt by attempt, until it has its answer or its time is up.
 *
 * <p>An instance is one call, and its attempts run one after another (each starts from the end
 * of the one before or from its wait), so its state needs no lock; the caller only sees the
 * future, which completes once, with the last answer or the call's {@link PlayCounterException}.
 *
 * <p>Implementation notes. Every attempt is bounded as a whole, the answer's body included: one
 * still running after {@code requestTimeout} is cancelled, which closes its connection, so a
 * server that stalls mid-body costs one attempt, never the caller's thread. A request with an
 * {@code Idempotency-Key} is sent again, the same, after an I/O failure, a timeout or a 503, up
 * to {@code maxRetries} times with a growing backoff. A 409 with {@code Retry-After} to a keyed
 * request says that the server still works on an earlier attempt with this key: it is asked
 * again after the wait the header names, as often as the call's deadline allows, without using
 * up a retry, because each such answer is progress, not a failure. The deadline is
 * {@code (1 + maxRetries) * requestTimeout} after the start for a keyed call and
 * {@code requestTimeout} for any other, so no call outlives it.
 */
final class Exchange {
  private static final BodyHandler<String> TEXT = BodyHandlers.ofString();

  private final HttpClient http;
  private final URI server;
  private final HttpRequest request;
  private final boolean keyed;
  private final Duration requestTimeout;
  private final Duration retryBackoff;
  private final int maxRetries;
  /** When the call's time is up, in {@link System#nanoTime}; set as its first attempt starts. */
  private long deadline;
  private final CompletableFuture<HttpResponse<String>> result = new CompletableFuture<>();
  /** The attempt on the wire, cancelled when the caller gives up on {@link #result}. */
  private volatile CompletableFuture<HttpResponse<String>> current;
  private int attempts;
  private int failures;
  private int inProgress;
  /** The last attempt's failure, null after an answer: the reason when time runs out. */
  private Throwable lastFailure;

  private Exchange(HttpClient http, URI server, HttpRequest request, boolean keyed,
      Duration requestTimeout, int maxRetries, Duration retryBackoff) {
    this.http = http;
    this.server = server;
    this.request = request;
    this.keyed = keyed;
    this.requestTimeout = requestTimeout;
    this.maxRetries = keyed ? maxRetries : 0;
    this.retryBackoff = retryBackoff;
  }

  /**
   * Starts the call; the future completes with the last answer (a 503 after the last retry
   * among them) or fails with the call's {@link PlayCounterException}. Cancelling it cancels
   * the attempt on the wire.
   */
  static CompletableFuture<HttpResponse<String>> start(HttpClient http, URI server,
      HttpRequest request, boolean keyed, Duration requestTimeout, int maxRetries,
      Duration retryBackoff) {
    Exchange exchange = new Exchange(http, server, request, keyed, requestTimeout, maxRetries,
        retryBackoff);
    exchange.result.whenComplete((response, failure) -> {
      CompletableFuture<HttpResponse<String>> attempt = exchange.current;
      if (failure instanceof CancellationException && attempt != null) {
        attempt.cancel(true);
      }
    });
    exchange.attempt();
    return exchange.result;
  }

  private void attempt() {
    if (attempts == 0) {
      deadline = System.nanoTime() + budgetNanos();
    }
    long left = deadline - System.nanoTime();
    if (result.isDone()) {
      return;
    }
    if (left <= 0) {
      result.completeExceptionally(outOfTime(lastFailure));
      return;
    }
    attempts++;
    long limit = Math.min(left, nanos(requestTimeout));
    CompletableFuture<HttpResponse<String>> wire = http.sendAsync(request, TEXT);
    current = wire;
    wire.copy().orTimeout(limit, TimeUnit.NANOSECONDS).whenComplete((response, failure) -> {
      if (failure != null && unwrap(failure) instanceof TimeoutException) {
        wire.cancel(true); // closes the connection: an answer cut short is worth nothing
        failure = new HttpTimeoutException("no complete answer within "
            + (limit + 999_999) / 1_000_000 + " ms, its body included");
      }
      try {
        next(response, failure == null ? null : unwrap(failure));
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    });
  }

  /** Decides after one attempt: done, or again after a wait. */
  private void next(HttpResponse<String> response, Throwable failure) {
    lastFailure = failure;
    if (failure == null && keyed && response.statusCode() == 409) {
      Duration wait = retryAfter(response);
      if (wait != null) { // our own first attempt is still being processed
        inProgress++;
        // never sooner than the backoff, growing, whatever the header says (0, a past date)
        Duration floor = retryBackoff.multipliedBy(1L << Math.min(inProgress - 1, 6));
        later(wait.compareTo(floor) < 0 ? floor : wait);
        return;
      }
    }
    boolean again = failure != null || response.statusCode() == 503;
    if (!again || failures >= maxRetries) {
      if (failure != null) {
        result.completeExceptionally(keyed ? outOfTime(failure)
            : ServerCalls.unreachable(server, failure));
      } else {
        result.complete(response);
      }
      return;
    }
    failures++;
    long millis = retryBackoff.toMillis() << Math.min(failures - 1, 10);
    later(Duration.ofMillis(millis + ThreadLocalRandom.current().nextLong(millis / 2 + 1)));
  }

  /** Sends the next attempt after {@code wait}, if the deadline leaves room for it. */
  private void later(Duration wait) {
    // compared as durations: a Retry-After of centuries must not wrap the nanoseconds around
    if (wait.compareTo(Duration.ofNanos(deadline - System.nanoTime())) >= 0) {
      result.completeExceptionally(outOfTime(lastFailure));
      return;
    }
    CompletableFuture.delayedExecutor(wait.toNanos(), TimeUnit.NANOSECONDS).execute(this::attempt);
  }

  /**
   * The wait a 409's {@code Retry-After} asks for (delta-seconds or an HTTP-date), or null when
   * it has none: then the 409 is the answer (too many pending drains, a count that would
   * overflow), not a request to come back.
   */
  static Duration retryAfter(HttpResponse<?> response) {
    String value = response.headers().firstValue("Retry-After").orElse(null);
    if (value == null) {
      return null;
    }
    try {
      return Duration.ofSeconds(Math.max(0, Long.parseLong(value.strip())));
    } catch (NumberFormatException notSeconds) {
      try {
        Duration until = Duration.between(Instant.now(),
            ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME));
        return until.isNegative() ? Duration.ZERO : until;
      } catch (DateTimeParseException notADate) {
        return Duration.ZERO; // a Retry-After we cannot read still says "again"
      }
    }
  }

  /** The failure of a keyed call that got no answer of its own before it ran out. */
  private PlayCounterException outOfTime(Throwable last) {
    String what = last == null ? "out of time" : ServerCalls.unreachable(server, last).reason();
    if (!keyed) {
      return new PlayCounterException(server, -1, what, last);
    }
    return new PlayCounterException(server, -1, what + " (sent " + attempts
        + (attempts == 1 ? " time" : " times") + " with the same Idempotency-Key within "
        + budgetNanos() / 1_000_000 + " ms, "
        + (inProgress == 0 ? "never answered"
            : "answered only that it is still being processed (409) " + inProgress
                + (inProgress == 1 ? " time" : " times"))
        + ": the change may or may not have been counted)", last);
  }

  /** The whole call's time: every attempt's, saturating far short of overflow. */
  private long budgetNanos() {
    long perAttempt = nanos(requestTimeout);
    long most = Long.MAX_VALUE / 4; // about 73 years: deadline arithmetic stays in range
    return perAttempt > most / (1 + maxRetries) ? most : perAttempt * (1 + maxRetries);
  }

  private static long nanos(Duration duration) {
    try {
      return duration.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE; // longer than any call can wait
    }
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
