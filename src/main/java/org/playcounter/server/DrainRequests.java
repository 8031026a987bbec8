package org.playcounter.server;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.playcounter.store.KeyedRequest;
import org.playcounter.store.PendingDrain;
import org.playcounter.store.PlayCountStore;
import org.playcounter.wire.CountsFormat;

/**
 * {@code /drains} and {@code /drains/{n}}: acknowledged drains (API section 6), every request
 * guarded by the admin token.
 */
final class DrainRequests {
  private final PlayCountStore store;
  private final Settings settings;
  private final Metrics metrics;
  private final Replies replies;
  private final KeyedWrites keyedWrites;

  DrainRequests(PlayCountStore store, Settings settings, Metrics metrics, Replies replies,
      KeyedWrites keyedWrites) {
    this.store = store;
    this.settings = settings;
    this.metrics = metrics;
    this.replies = replies;
    this.keyedWrites = keyedWrites;
  }

  /**
   * {@code /drains}: the pending drains' numbers, or (POST) a new pending drain holding every
   * live count, answered 201 with its {@code Location} and its counts.
   */
  void drains(HttpServletRequest request, HttpServletResponse response, String method,
      CountsFormat format) throws IOException {
    if (!replies.authorized(request, response, format)) {
      return;
    }
    switch (method) {
      case "GET", "HEAD" -> {
        StringBuilder numbers = new StringBuilder();
        for (long number : store.pendingDrains()) {
          numbers.append(numbers.length() == 0 ? "" : ",").append(number);
        }
        ResponseBody.send(response, method.equals("HEAD"), 200, format.contentType(),
            format == CountsFormat.JSON ? "[" + numbers + "]" : numbers.toString());
      }
      case "POST" -> create(request, response, format);
      default -> replies.reject(response, format, Rejection.METHOD_NOT_ALLOWED,
          "Method Not Allowed");
    }
  }

  private void create(HttpServletRequest request, HttpServletResponse response,
      CountsFormat format) throws IOException {
    KeyedRequest[] keyed = {null};
    if (keyedWrites.begin(request, response, format, (key, json, now) ->
        KeyedRequests.drain(key, json, now), keyed, null) == KeyedWrites.Next.ANSWERED) {
      return;
    }
    PendingDrain drain = store.createDrain((int) settings.maxPendingDrains(), keyed[0]);
    metrics.drained(drain.counts().size());
    Replies.sendDrainCreated(request, response, format, drain);
  }

  /** {@code /drains/{n}}: one pending drain's counts, or (DELETE) its acknowledgement. */
  void drain(HttpServletRequest request, HttpServletResponse response, String method,
      CountsFormat format, String rawNumber) throws IOException {
    if (!replies.authorized(request, response, format)) {
      return;
    }
    long number = rawNumber.matches("[1-9][0-9]{0,18}") ? parseOrZero(rawNumber) : 0;
    String missing = "drain " + rawNumber + " is not pending (acknowledged already, removed by a"
        + " reset, or never made); GET /drains lists the pending ones";
    switch (method) {
      case "GET", "HEAD" -> {
        PendingDrain drain = number == 0 ? null : store.pendingDrain(number);
        if (drain == null) {
          replies.reject(response, format, Rejection.NO_SUCH_DRAIN, missing);
          return;
        }
        Replies.sendCounts(response, method.equals("HEAD"), 200, format,
            drain.counts()::forEach);
      }
      case "DELETE" -> {
        if (number == 0 || !store.acknowledge(number)) {
          replies.reject(response, format, Rejection.NO_SUCH_DRAIN, missing);
          return;
        }
        ResponseBody.send(response, false, 200, format.contentType(),
            format == CountsFormat.JSON ? "{\"acknowledged\":" + number + "}" : "OK");
      }
      default -> replies.reject(response, format, Rejection.METHOD_NOT_ALLOWED,
          "Method Not Allowed");
    }
  }

  private static long parseOrZero(String digits) {
    try {
      return Long.parseLong(digits);
    } catch (NumberFormatException e) {
      return 0; // past the long range: no such drain
    }
  }
}
