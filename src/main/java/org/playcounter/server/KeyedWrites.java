package org.playcounter.server;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import org.playcounter.store.KeyLookup;
import org.playcounter.store.KeyedRequest;
import org.playcounter.store.PendingDrain;
import org.playcounter.store.PlayCountStore;
import org.playcounter.wire.CountsFormat;
import org.playcounter.wire.MalformedCountsException;

/**
 * Writes sent with an {@code Idempotency-Key} (API section 7): the key read from the request, a
 * first use let through, and a repeat answered with the first answer (or 422, or 409).
 */
final class KeyedWrites {
  private final PlayCountStore store;
  private final Replies replies;

  KeyedWrites(PlayCountStore store, Replies replies) {
    this.store = store;
    this.replies = replies;
  }

  /** What a keyed write does next. */
  enum Next { GO_ON, ANSWERED }

  /**
   * Reads the request's key into {@code keyed} (via {@code make}, null without a key): GO_ON when
   * the write goes on (with the key, or without one), ANSWERED when this answered it (400 for a
   * malformed key, the remembered answer of a repeat, 422, 409).
   */
  Next begin(HttpServletRequest request, HttpServletResponse response, CountsFormat format,
      KeyMaker make, KeyedRequest[] keyed, String songId) throws IOException {
    if (request.getHeader(Idempotency.HEADER) == null) {
      return Next.GO_ON; // most writes: no key, and no enumeration of the header's lines
    }
    String key;
    try {
      key = Idempotency.key(request.getHeaders(Idempotency.HEADER));
    } catch (IllegalArgumentException e) {
      replies.reject(response, format, Rejection.BAD_IDEMPOTENCY_KEY, e.getMessage());
      return Next.ANSWERED;
    }
    if (key == null) {
      return Next.GO_ON;
    }
    keyed[0] = make.make(key, format == CountsFormat.JSON, System.currentTimeMillis());
    KeyLookup found = store.begin(keyed[0]);
    switch (found.found()) {
      case NEW -> {
        return Next.GO_ON;
      }
      case MISMATCH -> replies.reject(response, format, Rejection.IDEMPOTENCY_KEY_REUSED,
          "this Idempotency-Key was sent with another request (method, path or body); use a new"
          + " key for a new request");
      case IN_PROGRESS -> {
        response.setHeader("Retry-After", "1");
        replies.reject(response, format, Rejection.IDEMPOTENCY_KEY_IN_USE,
            "the first request with this Idempotency-Key is still being processed; send it"
            + " again later for its answer");
      }
      case FULL -> {
        response.setHeader("Retry-After", "1");
        replies.reject(response, format, Rejection.IDEMPOTENCY_KEYS_FULL,
            "no room to remember one more Idempotency-Key while the oldest are still being"
            + " processed; nothing was changed, send it again later");
      }
      case TOO_LARGE -> replies.reject(response, format, Rejection.IDEMPOTENCY_ANSWER_TOO_LARGE,
          "the answer to this request could pass max-idempotency-answer-bytes (" + found.value()
          + ") and could not be remembered for its Idempotency-Key; nothing was changed: send"
          + " fewer songs per request, or send it without a key");
      case REPLAY -> replay(request, response, found, songId);
      default -> throw new IllegalStateException("unknown lookup: " + found.found());
    }
    return Next.ANSWERED;
  }

  /** Makes the keyed request of a key, once it is read. */
  @FunctionalInterface
  interface KeyMaker {
    KeyedRequest make(String key, boolean json, long now);
  }

  /** Answers a repeat with the first request's status and body, in the first request's format. */
  private void replay(HttpServletRequest request, HttpServletResponse response,
      KeyLookup found, String songId) throws IOException {
    response.setHeader("Idempotent-Replayed", "true");
    CountsFormat format = (found.kind() & KeyedRequest.JSON) != 0 ? CountsFormat.JSON
        : CountsFormat.TEXT;
    switch (found.kind() & 3) {
      case KeyedRequest.PLAY -> Replies.sendCount(response, false, format, songId,
          found.value());
      case KeyedRequest.BULK -> {
        Map<String, Long> counts;
        try {
          counts = CountsFormat.TEXT.parseListing(found.body());
        } catch (MalformedCountsException e) {
          throw new IllegalStateException("a remembered answer that does not parse", e);
        }
        Replies.sendCounts(response, format, counts);
      }
      case KeyedRequest.DRAIN -> {
        PendingDrain drain = store.pendingDrain(found.value());
        if (drain == null) {
          replies.reject(response, format, Rejection.NO_SUCH_DRAIN, "drain " + found.value()
              + ", which the first request with this Idempotency-Key made, is not pending any"
              + " more (acknowledged, or removed by a reset)");
          return;
        }
        Replies.sendDrainCreated(request, response, format, drain);
      }
      default -> throw new IllegalStateException("unknown kind of answer: " + found.kind());
    }
  }
}
