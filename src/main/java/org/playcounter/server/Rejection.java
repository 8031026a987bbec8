package org.playcounter.server;

import org.playcounter.store.CountOverflowException;
import org.playcounter.store.SongLimitException;
import org.playcounter.store.StorageFailedException;
import org.playcounter.store.TooManyDrainsException;

/**
 * The kinds of request playcounter turns away, each with its status and the label it is counted
 * and logged under, the store's refusals among them.
 */
enum Rejection {
  NOT_FOUND(404, "not_found"),
  METHOD_NOT_ALLOWED(405, "method_not_allowed"),
  NOT_ACCEPTABLE(406, "not_acceptable"),
  BAD_SONG_ID(400, "bad_song_id"),
  MALFORMED_BODY(400, "malformed_body"),
  UNSUPPORTED_MEDIA_TYPE(415, "unsupported_media_type"),
  BODY_TOO_LARGE(413, "body_too_large"),
  /** A body that ended (or stalled until the container gave up) before its announced end. */
  INCOMPLETE_BODY(400, "incomplete_body"),
  /** A query parameter the route does not take. */
  BAD_QUERY(400, "bad_query"),
  COUNT_OVERFLOW(409, "count_overflow"),
  /** {@code POST /drains} with {@code max-pending-drains} pending already. */
  TOO_MANY_DRAINS(409, "too_many_drains"),
  /** A drain number that is not pending. */
  NO_SUCH_DRAIN(404, "no_such_drain"),
  /** An {@code Idempotency-Key} header that is not 1 to 255 printable ASCII characters. */
  BAD_IDEMPOTENCY_KEY(400, "bad_idempotency_key"),
  /** An {@code Idempotency-Key} sent before with another request. */
  IDEMPOTENCY_KEY_REUSED(422, "idempotency_key_reused"),
  /** An {@code Idempotency-Key} whose first request is still being processed. */
  IDEMPOTENCY_KEY_IN_USE(409, "idempotency_key_in_use"),
  /** No room for one more key: the oldest keys are all still in progress. */
  IDEMPOTENCY_KEYS_FULL(503, "idempotency_keys_full"),
  /** A keyed bulk add whose answer could never fit in {@code max-idempotency-answer-bytes}. */
  IDEMPOTENCY_ANSWER_TOO_LARGE(413, "idempotency_answer_too_large"),
  SONG_LIMIT(507, "song_limit"),
  UNAUTHORIZED(401, "unauthorized"),
  /** The journal could not record the change (disk full, I/O error); nothing was changed. */
  STORAGE_FAILED(503, "storage_failed"),
  /** Rejected by the container before the servlet ran (a protected path, a bad request line). */
  CONTAINER(400, "container");

  private final int status;
  private final String label;

  Rejection(int status, String label) {
    this.status = status;
    this.label = label;
  }

  /** The HTTP status this rejection answers with. */
  int status() {
    return status;
  }

  /** The metric label and log name: lower case, underscores. */
  String label() {
    return label;
  }

  /**
   * The rejection that answers a change the store refused (nothing changed), or null when
   * {@code e} is none of the store's refusals: the one place where they are told apart.
   */
  static Rejection ofStoreRefusal(RuntimeException e) {
    if (e instanceof CountOverflowException) {
      return COUNT_OVERFLOW;
    } else if (e instanceof SongLimitException) {
      return SONG_LIMIT;
    } else if (e instanceof TooManyDrainsException) {
      return TOO_MANY_DRAINS;
    } else if (e instanceof StorageFailedException) {
      return STORAGE_FAILED;
    }
    return null;
  }

  /** The standard reason phrase of an error status, for errors the container raised. */
  static String reasonPhrase(int status) {
    return switch (status) {
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 408 -> "Request Timeout";
      case 411 -> "Length Required";
      case 413 -> "Content Too Large";
      case 414 -> "URI Too Long";
      case 415 -> "Unsupported Media Type";
      case 422 -> "Unprocessable Content";
      case 431 -> "Request Header Fields Too Large";
      case 501 -> "Not Implemented";
      case 503 -> "Service Unavailable";
      case 505 -> "HTTP Version Not Supported";
      default -> status < 500 ? "Bad Request" : "Internal Server Error";
    };
  }
}
