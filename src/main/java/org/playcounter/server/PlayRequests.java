package org.playcounter.server;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import org.playcounter.store.Acknowledgement;
import org.playcounter.store.KeyedRequest;
import org.playcounter.store.PlayCountStore;
import org.playcounter.wire.CountsFormat;
import org.playcounter.wire.MalformedCountsException;

/**
 * The writes that add plays: {@code POST /song/{id}} and the bulk {@code POST /}, each with its
 * optional {@code Idempotency-Key}, answered at once or, with {@code fsync=always}, once on disk.
 * An acknowledged change is answered before its metrics are counted, so that no bookkeeping can
 * turn an applied change into an error a client would retry.
 */
final class PlayRequests {
  /** The longest a play answered asynchronously waits for the journal. */
  private static final long ACK_TIMEOUT_MS = 30_000;

  private final PlayCountStore store;
  private final Settings settings;
  private final Metrics metrics;
  private final Replies replies;
  private final KeyedWrites keyedWrites;
  /**
   * True when plays wait for an fsync (milliseconds): they are then answered asynchronously, so
   * that the plays of all connections share each fsync. A play that waits only for a write
   * (microseconds, {@code fsync=interval}) is written by its own thread: measured faster on Tomcat
   * than the hand-over an asynchronous answer costs (README, Durability).
   */
  private final boolean answerLater;

  PlayRequests(PlayCountStore store, Settings settings, Metrics metrics, Replies replies,
      KeyedWrites keyedWrites) {
    this.store = store;
    this.settings = settings;
    this.metrics = metrics;
    this.replies = replies;
    this.keyedWrites = keyedWrites;
    this.answerLater = store.durable() && settings.fsyncAlways();
  }

  /** {@code POST /song/{id}}: one play, answered with the count after it. */
  void play(HttpServletRequest request, HttpServletResponse response, CountsFormat format,
      String id) throws IOException {
    KeyedRequest[] keyed = {null};
    if (keyedWrites.begin(request, response, format, (key, json, now) ->
        KeyedRequests.play(key, id, json, now), keyed, id) == KeyedWrites.Next.ANSWERED) {
      return;
    }
    if (answerLater) {
      this.<Long>later(request, response, Route.SONG, format,
          answer -> store.increment(id, keyed[0], answer),
          count -> played(response, format, id, count));
    } else {
      played(response, format, id, store.increment(id, keyed[0]));
    }
  }

  /** Answers an acknowledged play; counted even when the client has gone: the play stands. */
  private void played(HttpServletResponse response, CountsFormat format, String id, long count)
      throws IOException {
    try {
      Replies.sendCount(response, false, format, id, count);
    } finally {
      metrics.played();
    }
  }

  /**
   * The bulk {@code POST /}: every pair of the body added at once, answered with the new counts
   * in the format {@code Accept} asks for, else in the body's.
   */
  void add(HttpServletRequest request, HttpServletResponse response, CountsFormat accepted)
      throws IOException {
    CountsFormat bodyFormat = RequestHeaders.bodyFormat(request.getContentType());
    CountsFormat format = RequestHeaders.isExplicit(RequestHeaders.accept(request))
        ? accepted
        : bodyFormat == null ? CountsFormat.TEXT : bodyFormat;
    RequestBody body = RequestBody.read(request, bodyFormat, settings.maxBodyBytes());
    if (body.refused() != null) {
      if (body.closeConnection()) {
        response.setHeader("Connection", "close"); // the rest of the body is never read
      }
      replies.reject(response, format, body.refused(), body.reason());
      if (body.closeConnection()) {
        // Tomcat takes a failed read as an error of its own, drops this answer and dispatches
        // its error page instead, which then repeats it (PlayCounterServlet.containerError).
        request.setAttribute(Replies.REFUSAL, new Replies.Refusal(format, body.reason()));
        try {
          response.flushBuffer();
        } catch (IOException e) {
          // Payara closes the connection of a body cut short: nobody is left to tell
        }
      }
      return;
    }
    Map<String, Long> plays;
    try {
      plays = bodyFormat.parse(body.text(), CountsFormat.MAX_BULK_COUNT);
    } catch (MalformedCountsException e) {
      replies.reject(response, format, Rejection.MALFORMED_BODY, e.getMessage());
      return;
    }
    KeyedRequest[] keyed = {null};
    if (keyedWrites.begin(request, response, format, (key, json, now) ->
        KeyedRequests.bulk(key, plays, json, now), keyed, null) == KeyedWrites.Next.ANSWERED) {
      return;
    }
    if (answerLater) {
      this.<Map<String, Long>>later(request, response, Route.SONGS, format,
          answer -> store.add(plays, keyed[0], answer),
          counts -> added(response, format, plays, counts));
    } else {
      added(response, format, plays, store.add(plays, keyed[0]));
    }
  }

  /** Answers an acknowledged bulk add; counted even when the client has gone. */
  private void added(HttpServletResponse response, CountsFormat format, Map<String, Long> plays,
      Map<String, Long> counts) throws IOException {
    try {
      Replies.sendCounts(response, format, counts);
    } finally {
      metrics.added(plays);
    }
  }

  /** Starts a change that {@link Acknowledgement acknowledges} its result once on disk. */
  @FunctionalInterface
  private interface Recording<T> {
    void start(Acknowledgement<T> acknowledgement);
  }

  /** Answers the result of an acknowledged change. */
  @FunctionalInterface
  private interface Answering<T> {
    void send(T result) throws IOException;
  }

  /**
   * A change with {@code fsync=always}: recorded now and answered once it is on disk, without
   * holding a container thread meanwhile, so that the changes of many connections share one
   * write and one fsync. A refusal, at once or from the journal, is answered as the store's.
   */
  private <T> void later(HttpServletRequest request, HttpServletResponse response, Route route,
      CountsFormat format, Recording<T> recording, Answering<T> answering) {
    long start = System.nanoTime(); // the microseconds before go untimed: the wait is the cost
    LaterAnswer later = LaterAnswer.start(request, response, ACK_TIMEOUT_MS,
        () -> metrics.answered(route, response.getStatus(), start),
        timedOut -> replies.reject(timedOut, format, Rejection.STORAGE_FAILED, "storage too"
            + " slow: not journaled within " + ACK_TIMEOUT_MS / 1000 + " s; the change may or"
            + " may not be recorded"));
    try {
      recording.start((result, failure) -> later.answer(() -> {
        if (failure != null) {
          replies.refused(response, format, failure);
        } else {
          answering.send(result);
        }
      }));
    } catch (RuntimeException e) {
      if (Rejection.ofStoreRefusal(e) == null) {
        throw e;
      }
      later.answerNow(() -> replies.refused(response, format, e));
    }
  }
}
