package org.playcounter.client;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One call to one server, attempt by attempt, until it has its answer or its time is up.
 *
 * <p>An instance is one call, run by one thread ({@link #run} on the caller's, {@link #start} on
 * an executor's), so its state needs no lock; only {@link #cancel} comes from another thread.
 *
 * <p>Implementation notes. Every attempt is bounded as a whole, the answer's body included: one
 * still running after {@code requestTimeout} is aborted, which closes its connection, so a
 * server that stalls mid-body costs one attempt, never the caller's thread. A request that is
 * safe to send again (one with an {@code Idempotency-Key}, or a read) is sent again, the same,
 * after an I/O failure, a timeout or a 503, with a backoff that grows to at most a second, until
 * {@code retryFor} has passed since the call began (or {@code maxRetries} retries were made):
 * so a call rides through its server's restart, and it sees the server back within a second of
 * its return. A 409 with {@code Retry-After} to a keyed request says that the server still works
 * on an earlier attempt with this key: it is asked again after the wait the header names, within
 * the same time, without using up a retry, because each such answer is progress, not a
 * failure. No attempt starts after {@code retryFor}, so no call outlives {@code retryFor +
 * requestTimeout}; any other request is sent once. Waits between attempts end early on
 * {@link #cancel} and on an interrupt; an attempt on the wire runs to its answer or its time.
 */
final class Exchange {
  /** The longest wait between two attempts after a failure, before its random part. */
  private static final long MAX_BACKOFF_MILLIS = 1_000;

  private final Transport transport;
  private final URI server;
  private final Request request;
  /** Whether the request carries a key: a write that may have been counted. */
  private final boolean keyed;
  private final Duration requestTimeout;
  /** How long after the start a new attempt may begin; zero for a request sent once. */
  private final Duration retryFor;
  private final Duration retryBackoff;
  private final int maxRetries;
  /** Counted down once by {@link #cancel}: ends any wait, and no attempt starts after it. */
  private final CountDownLatch cancelled = new CountDownLatch(1);
  /** The attempt on the wire, aborted by {@link #cancel}. */
  private volatile Transport.Attempt current;
  /** When the call was made, in {@link System#nanoTime}: its time runs from then. */
  private final long begun = System.nanoTime();
  private int attempts;
  private int failures;
  private int inProgress;
  /** The last attempt's failure, null after an answer: the reason when time runs out. */
  private IOException lastFailure;
  /** Whether some attempt may have reached the server: sent, not refused at connect. */
  private boolean reached;

  Exchange(Transport transport, URI server, Request request, Duration requestTimeout,
      Duration retryFor, int maxRetries, Duration retryBackoff) {
    this.transport = transport;
    this.server = server;
    this.request = request;
    this.keyed = request.key() != null;
    this.requestTimeout = requestTimeout;
    boolean again = request.retriable();
    this.retryFor = again ? retryFor : Duration.ZERO;
    this.maxRetries = again ? maxRetries : 0;
    this.retryBackoff = retryBackoff;
  }

  /**
   * Starts the call on {@code executor}; the future completes with the last answer (a 503 after
   * the last retry among them) or fails with the call's {@link PlayCounterException}. Cancelling
   * it cancels the call: the attempt on the wire and any retry after it.
   */
  CompletableFuture<Answer> start(Executor executor) {
    CompletableFuture<Answer> result = new CompletableFuture<>();
    result.whenComplete((answer, failure) -> {
      if (failure instanceof CancellationException) {
        cancel();
      }
    });
    Queued queued = new Queued(result);
    try {
      // set before the call is queued, so that the thread that takes it always cancels it
      queued.timeout = transport.timer().schedule(queued::outOfTimeInQueue,
          queueNanos(retryFor, requestTimeout), TimeUnit.NANOSECONDS);
      executor.execute(queued);
    } catch (RejectedExecutionException e) {
      if (queued.timeout != null) {
        queued.timeout.cancel(false);
      }
      result.completeExceptionally(closed(e));
    }
    return result;
  }

  /**
   * A call waiting for a thread of the client's executor. It fails rather than wait for ever:
   * when the client closes with it still queued, and when its whole time passes before a thread
   * takes it (every thread blocked, say, in calls made from callbacks that wait for this one).
   */
  final class Queued implements Runnable {
    private final CompletableFuture<Answer> result;
    private final AtomicBoolean taken =
        new AtomicBoolean();
    /** Fails the call when its time is up before a thread takes it; set before it is queued. */
    private volatile ScheduledFuture<?> timeout;

    private Queued(CompletableFuture<Answer> result) {
      this.result = result;
    }

    @Override
    public void run() {
      if (!taken.compareAndSet(false, true)) {
        return;
      }
      timeout.cancel(false);
      try {
        result.complete(Exchange.this.run());
      } catch (InterruptedException e) {
        result.completeExceptionally(interrupted(e));
      } catch (Throwable e) { // an Error too: the future must complete, whatever ends the call
        result.completeExceptionally(e);
      }
    }

    /** The client closed before a thread took the call: it was never sent. */
    void closedInQueue() {
      if (taken.compareAndSet(false, true)) {
        result.completeExceptionally(closed(null));
      }
    }

    private void outOfTimeInQueue() {
      if (taken.compareAndSet(false, true)) {
        result.completeExceptionally(new PlayCounterException(server, -1, "waited "
            + (System.nanoTime() - begun) / 1_000_000 + " ms for a thread of the client's"
            + " executor, every one busy; never sent", null));
      }
    }
  }

  /**
   * Runs the call on this thread and returns the last answer (a 503 after the last retry among
   * them).
   *
   * @throws PlayCounterException when no answer came in time, or the call was cancelled
   * @throws InterruptedException when the thread was interrupted while it waited to try again
   */
  Answer run() throws InterruptedException {
    long retryEnd = begun + Math.min(nanos(retryFor), Long.MAX_VALUE / 4);
    while (true) {
      if (cancelled.getCount() == 0) {
        throw new PlayCounterException(server, -1, "cancelled", lastFailure);
      }
      if (transport.isClosed()) {
        throw closed(lastFailure);
      }
      attempts++;
      Transport.Attempt attempt = transport.attempt(request);
      current = attempt;
      Answer answer = null;
      try {
        if (cancelled.getCount() == 0) { // a cancel between the check and current = attempt
          throw new PlayCounterException(server, -1, "cancelled", lastFailure);
        }
        answer = attempt.run(nanos(requestTimeout));
        lastFailure = null;
      } catch (Transport.ClosedException e) {
        throw closed(e);
      } catch (IOException e) {
        lastFailure = e;
        reached |= !Transport.neverSent(e);
        if (Thread.currentThread().isInterrupted()) { // HttpClient's lease wait says "timeout"
          throw new InterruptedException("interrupted: " + e.getMessage());
        }
      } finally {
        current = null;
      }
      Duration wait = next(answer);
      long remaining = retryEnd - System.nanoTime();
      if (wait == null || remaining <= 0) {
        if (answer != null && !(wait != null && answer.status() == 409)) {
          if (answer.status() == 503 && keyed && reached) { // an earlier attempt may have counted
            throw new PlayCounterException(server, 503, ServerCalls.reason(answer.body(), 503)
                + " (after " + (attempts - 1) + " earlier attempts, one of which reached the"
                + " server and got no answer: the change may or may not have been counted)",
                lastFailure, true);
          }
          return answer; // a 503 after the last attempt is the server's answer
        }
        throw keyed || answer != null || attempts > 1 ? outOfTime(lastFailure)
            : ServerCalls.unreachable(server, lastFailure);
      }
      // compared as durations: a Retry-After of centuries must not wrap the nanoseconds around;
      // a wait past the end is cut short, for one last attempt as the time runs out
      long nanos = wait.compareTo(Duration.ofNanos(remaining)) > 0 ? remaining : wait.toNanos();
      cancelled.await(nanos, TimeUnit.NANOSECONDS);
    }
  }

  /** Ends the call: its wait at once, its attempt on the wire by closing the connection. */
  void cancel() {
    cancelled.countDown();
    Transport.Attempt attempt = current;
    if (attempt != null) {
      attempt.abort();
    }
  }

  /** After one attempt: null when the call is done, else the wait before the next one. */
  private Duration next(Answer answer) {
    if (answer != null && keyed && answer.status() == 409) {
      Duration wait = answer.retryAfter();
      if (wait != null) { // our own first attempt is still being processed
        inProgress++;
        // never sooner than the backoff, growing, whatever the header says (0, a past date)
        Duration floor = retryBackoff.multipliedBy(1L << Math.min(inProgress - 1, 6));
        return wait.compareTo(floor) < 0 ? floor : wait;
      }
    }
    boolean again = answer == null || answer.status() == 503;
    if (!again || failures >= maxRetries || retryFor.isZero()) {
      return null;
    }
    failures++;
    long millis = Math.min(MAX_BACKOFF_MILLIS, retryBackoff.toMillis() << Math.min(failures - 1, 10));
    return Duration.ofMillis(millis + ThreadLocalRandom.current().nextLong(millis / 2 + 1));
  }

  private PlayCounterException closed(Throwable cause) {
    boolean maybe = attempts > 0 && keyed;
    return new PlayCounterException(server, -1, "the client is closed"
        + (maybe ? "; the change may or may not have been counted" : ""), cause, maybe);
  }

  /** The failure of an interrupted wait, which says whether the change may have been made. */
  PlayCounterException interrupted(InterruptedException e) {
    cancel();
    return new PlayCounterException(server, -1, "interrupted while waiting for the answer"
        + (keyed ? "; the change may or may not have been counted" : ""), e, keyed);
  }

  /** The failure of a call that got no answer of its own before it ran out. */
  private PlayCounterException outOfTime(IOException last) {
    String what = last == null ? "out of time" : ServerCalls.unreachable(server, last).reason();
    String sent = "sent " + attempts + (attempts == 1 ? " time" : " times")
        + (keyed ? " with the same Idempotency-Key" : "") + " within " + retryFor.toMillis()
        + " ms (retryFor), " + (inProgress == 0 ? "never answered"
            : "answered only that it is still being processed (409) " + inProgress
                + (inProgress == 1 ? " time" : " times"));
    boolean maybe = keyed && (reached || inProgress > 0);
    return new PlayCounterException(server, -1, what + " (" + sent
        + (maybe ? ": the change may or may not have been counted)"
            : keyed ? ": never reached the server, so not counted)" : ")"), last, maybe);
  }

  /** How long a call may wait for a thread: its whole time, {@code retryFor + requestTimeout}. */
  static long queueNanos(Duration retryFor, Duration requestTimeout) {
    return Math.min(nanos(retryFor), Long.MAX_VALUE / 4)
        + Math.min(nanos(requestTimeout), Long.MAX_VALUE / 4);
  }

  private static long nanos(Duration duration) {
    try {
      return duration.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE; // longer than any call can wait
    }
  }
}
