package org.playcounter.client;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.playcounter.wire.CountsFormat;
import org.playcounter.wire.MalformedCountsException;

/**
 * One request to one server and its answer: the request built ({@code Accept}, the admin token
 * where it is needed, an {@code Idempotency-Key} on writes), sent by an {@link Exchange}, and
 * read.
 *
 * <p>Immutable and thread-safe: every call has its own {@code Exchange}, and the shared
 * {@link Transport} is thread-safe. A blocking call runs on its caller's thread; an asynchronous
 * one on the client's executor. On failure (an answer outside 2xx, one that does not parse, no
 * answer in time, an interrupt) it throws, or fails the future with, the one
 * {@link PlayCounterException} that names the server, the status and the reason.
 */
final class ServerCalls {
  /** The {@code Prefer} value that makes {@code DELETE /} a drain that answers what it removed. */
  static final String DRAIN_PREFERENCE = "return=representation";

  private final Transport transport;
  /** Runs asynchronous calls and the fan-outs' requests, each on a thread of its own. */
  private final Executor executor;
  private final Duration requestTimeout;
  /** The {@code Authorization} header value sent with every DELETE and drain; null for none. */
  private final String authorization;
  private final Duration retryFor;
  private final int maxRetries;
  private final Duration retryBackoff;

  ServerCalls(Transport transport, Executor executor, Duration requestTimeout,
      String authorization, Duration retryFor, int maxRetries, Duration retryBackoff) {
    this.transport = transport;
    this.executor = executor;
    this.requestTimeout = requestTimeout;
    this.authorization = authorization;
    this.retryFor = retryFor;
    this.maxRetries = maxRetries;
    this.retryBackoff = retryBackoff;
  }

  /** The transport, for the batches' timers. */
  Transport transport() {
    return transport;
  }

  /** A request to {@code server}'s {@code path}, without a key; {@code body} may be null. */
  Request request(URI server, String path, String method, String prefer, String body) {
    boolean admin = method.equals("DELETE") || path.startsWith("/drains");
    return new Request(method, URI.create(server + path), body, null, prefer,
        admin ? authorization : null, false);
  }

  /**
   * Sends a request without a body to {@code server} and reads its answer, as {@link #send} and
   * {@link #answer} do; a POST carries a fresh {@code Idempotency-Key}, so it is retried.
   */
  <T> T call(URI server, String method, String path, Reader<T> reader) {
    return answer(server, send(server, bodiless(server, method, path)), reader);
  }

  /** {@link #call} with a single attempt, whatever {@code retryFor} says: a server's probe. */
  <T> T callOnce(URI server, String method, String path, Reader<T> reader) {
    return answer(server, send(server, bodiless(server, method, path).sentOnce()), reader);
  }

  /** Whether the client is closed, so that no failure of its calls says anything of a server. */
  boolean isClosed() {
    return transport.isClosed();
  }

  /**
   * Runs a blocking {@code call} on the client's executor; the future fails with its
   * {@link PlayCounterException}, and with one naming {@code server} when the client closes
   * before a thread takes it or when no thread took it within {@code retryFor} plus
   * {@code requestTimeout} (every one busy), as a queued {@link Exchange} does.
   */
  <T> CompletableFuture<T> onExecutor(URI server, Supplier<T> call) {
    Task<T> task = new Task<>(server, call);
    try {
      task.timeout = transport.timer().schedule(task::outOfTimeInQueue,
          Exchange.queueNanos(retryFor, requestTimeout), TimeUnit.NANOSECONDS);
      executor.execute(task);
    } catch (RejectedExecutionException e) {
      task.closedInQueue();
    }
    return task.result;
  }

  /** {@link #call} without blocking, as {@link #sendAsync} sends. */
  <T> CompletableFuture<T> callAsync(URI server, String method, String path, Reader<T> reader) {
    return sendAsync(server, bodiless(server, method, path), reader);
  }

  private Request bodiless(URI server, String method, String path) {
    Request request = request(server, path, method, null, null);
    return method.equals("POST") ? request.keyed() : request;
  }

  /**
   * Sends a request on this thread and returns its answer, as {@link Exchange} does: each
   * attempt bounded in time, its body included, and a keyed one sent again, the same, to the
   * same server.
   *
   * @throws PlayCounterException when no answer came in time; for a keyed write it says that
   *     the change may or may not have been counted
   */
  Answer send(URI server, Request request) {
    Exchange exchange = exchange(server, request);
    try {
      return exchange.run();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw exchange.interrupted(e);
    }
  }

  /**
   * Sends one request on the client's executor, a keyed one again as {@link #send} does; the
   * future fails with the request's {@link PlayCounterException}, and cancelling it cancels the
   * call: its attempt and any retry after it.
   */
  <T> CompletableFuture<T> sendAsync(URI server, Request request, Reader<T> reader) {
    CompletableFuture<Answer> exchange = exchange(server, request).start(executor);
    CompletableFuture<T> answer = exchange.thenApply(response -> answer(server, response, reader));
    answer.whenComplete((value, failure) -> {
      if (failure instanceof CancellationException) {
        exchange.cancel(true);
      }
    });
    return answer;
  }

  /** {@link #sendAsync} on this thread: the future is done when this returns. */
  <T> CompletableFuture<T> sendHere(URI server, Request request, Reader<T> reader) {
    try {
      return CompletableFuture.completedFuture(answer(server, send(server, request), reader));
    } catch (PlayCounterException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private Exchange exchange(URI server, Request request) {
    return new Exchange(transport, server, request, requestTimeout, retryFor, maxRetries,
        retryBackoff);
  }

  /** Checks the status and reads a 2xx body; anything else is the server's failure. */
  static <T> T answer(URI server, Answer response, Reader<T> reader) {
    int status = response.status();
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
  static String reason(String body, int status) {
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

  static long parseCount(Answer response) {
    long count = Long.parseLong(response.body());
    if (count < 0) {
      throw new NumberFormatException("negative count: " + count);
    }
    return count;
  }

  static Map<String, Long> parseCounts(Answer response)
      throws MalformedCountsException {
    return CountsFormat.TEXT.parseListing(response.body());
  }

  /**
   * The counts a one-step drain ({@code DELETE /} with {@link #DRAIN_PREFERENCE}) removed; an
   * answer without {@code Preference-Applied} is a plain reset, whose counts are gone.
   */
  static Map<String, Long> parseDrainedCounts(Answer response)
      throws MalformedCountsException {
    if (!response.headers("Preference-Applied").contains(DRAIN_PREFERENCE)) {
      throw new MalformedCountsException("no Preference-Applied: " + DRAIN_PREFERENCE
          + ", so the server did a plain reset and its counts are gone");
    }
    return parseCounts(response);
  }

  /** A list of drain numbers, {@code 3,4}, or an empty body. */
  static List<Long> parseNumbers(Answer response)
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

  /** A blocking call waiting for a thread of the client's executor, or running on one. */
  static final class Task<T> implements Runnable {
    private final URI server;
    private final Supplier<T> call;
    private final CompletableFuture<T> result = new CompletableFuture<>();
    private final AtomicBoolean taken = new AtomicBoolean();
    private final long queued = System.nanoTime();
    /** Fails the call when no thread took it in time; null when the timer refused it. */
    private volatile ScheduledFuture<?> timeout;

    private Task(URI server, Supplier<T> call) {
      this.server = server;
      this.call = call;
    }

    @Override
    public void run() {
      // a future cancelled while queued is never run: nothing of it is sent
      if (taken.compareAndSet(false, true) && !result.isDone()) {
        ScheduledFuture<?> timer = timeout;
        if (timer != null) {
          timer.cancel(false);
        }
        try {
          result.complete(call.get());
        } catch (Throwable e) { // an Error too: the future must complete, whatever ends the call
          result.completeExceptionally(e);
        }
      }
    }

    /** The client closed before a thread took the call: nothing of it was sent. */
    void closedInQueue() {
      fail("the client is closed");
    }

    private void outOfTimeInQueue() {
      fail("waited " + (System.nanoTime() - queued) / 1_000_000 + " ms for a thread of the"
          + " client's executor, every one busy; never sent");
    }

    private void fail(String reason) {
      if (taken.compareAndSet(false, true)) {
        ScheduledFuture<?> timer = timeout;
        if (timer != null) {
          timer.cancel(false);
        }
        result.completeExceptionally(new PlayCounterException(server, -1, reason, null));
      }
    }
  }

  /** Reads a 2xx answer; a body it cannot read is the server's failure. */
  @FunctionalInterface
  interface Reader<T> {
    T read(Answer response) throws MalformedCountsException;
  }
}
