package org.playcounter.server;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The answer to a request put in asynchronous mode while its change waits for the disk: the
 * container's thread goes back to serving other connections, so that many changes share one
 * fsync. Exactly one of the change's answer, the time-out and the client's going away completes
 * it; the answer is written on a container thread ({@link AsyncContext#start}), never on the
 * journal's.
 */
final class LaterAnswer implements AsyncListener {
  /** Request attribute that tells the servlet's own bookkeeping that the answer comes later. */
  static final String ATTRIBUTE = LaterAnswer.class.getName();

  private final AsyncContext async;
  private final HttpServletResponse response;
  private final Runnable answered;
  private final Timeout timeout;
  private final AtomicBoolean done = new AtomicBoolean();

  /** Writes an answer; may throw when the client is gone. */
  @FunctionalInterface
  interface Answer {
    void write() throws IOException;
  }

  /** Writes the answer to a request that timed out waiting. */
  @FunctionalInterface
  interface Timeout {
    void write(HttpServletResponse response) throws IOException;
  }

  private LaterAnswer(AsyncContext async, HttpServletResponse response, Runnable answered,
      Timeout timeout) {
    this.async = async;
    this.response = response;
    this.answered = answered;
    this.timeout = timeout;
  }

  /**
   * Puts the request in asynchronous mode for at most {@code timeoutMs}; {@code answered} runs
   * once it is complete, whichever way.
   */
  static LaterAnswer start(HttpServletRequest request, HttpServletResponse response,
      long timeoutMs, Runnable answered, Timeout timeout) {
    request.setAttribute(ATTRIBUTE, Boolean.TRUE);
    AsyncContext async = request.startAsync(request, response);
    if (async.getTimeout() != timeoutMs) {
      async.setTimeout(timeoutMs); // costly in Tomcat (11% of a profile), and its default already
    }
    LaterAnswer later = new LaterAnswer(async, response, answered, timeout);
    async.addListener(later);
    return later;
  }

  /** Writes {@code answer} on a container thread and completes, unless already completed. */
  void answer(Answer answer) {
    if (done.compareAndSet(false, true)) {
      async.start(() -> finish(answer));
    }
  }

  /** Writes {@code answer} on this thread and completes, unless already completed. */
  void answerNow(Answer answer) {
    if (done.compareAndSet(false, true)) {
      finish(answer);
    }
  }

  private void finish(Answer answer) {
    try {
      answer.write();
    } catch (IOException e) {
      // the client is gone; the change stands or not as the journal said, unheard
    } finally { // a RuntimeException, a bug, goes on to the container's log once this completes
      answered.run();
      async.complete();
    }
  }

  @Override
  public void onTimeout(AsyncEvent event) {
    answerNow(() -> timeout.write(response));
  }

  @Override
  public void onError(AsyncEvent event) {
    if (done.compareAndSet(false, true)) {
      answered.run();
      async.complete();
    }
  }

  @Override
  public void onComplete(AsyncEvent event) {
    // completed by one of the above
  }

  @Override
  public void onStartAsync(AsyncEvent event) {
    // not restarted
  }
}
