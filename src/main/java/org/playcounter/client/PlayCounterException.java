package org.playcounter.client;

import java.net.URI;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The one failure of a {@link PlayCounterClient} call: a server answered outside 2xx, gave an
 * answer that does not parse, or could not be reached in time.
 *
 * <p>From a one-server call it names the {@link #server}, the {@link #status} and the server's
 * one-line {@link #reason}. From a call that asks several servers at once it names no single
 * server; it carries instead the merged {@link #partialResults} of the servers that answered and
 * the {@link #failures} of those that did not, so the caller can decide what to do with a partial
 * answer. The client retries writes only with their idempotency key, to the same server, and
 * never fails over: a song's count lives on one server.
 * Immutable.
 */
public final class PlayCounterException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The server that failed; null for a call to several servers. */
  private final URI server;
  /** The HTTP status; -1 when there was none (I/O failure, timeout) or several servers failed. */
  private final int status;
  private final String reason;
  private final Map<String, Long> partialResults;
  private final Map<URI, PlayCounterException> failures;

  /** A one-server failure; {@code status} is -1 when no answer arrived. */
  PlayCounterException(URI server, int status, String reason, Throwable cause) {
    super(server + (status < 0 ? " failed: " : " answered " + status + ": ") + reason, cause);
    this.server = server;
    this.status = status;
    this.reason = reason;
    this.partialResults = Map.of();
    this.failures = Map.of();
  }

  /** A fan-out in which the servers named in {@code failures} failed out of {@code asked}. */
  PlayCounterException(Map<String, Long> partialResults, Map<URI, PlayCounterException> failures,
      int asked) {
    super(summary(failures, asked) + ": " + failures.values().stream()
        .map(PlayCounterException::getMessage).collect(Collectors.joining("; ")));
    this.server = null;
    this.status = -1;
    this.reason = summary(failures, asked);
    this.partialResults = Map.copyOf(partialResults);
    this.failures = Map.copyOf(failures);
  }

  private static String summary(Map<URI, PlayCounterException> failures, int asked) {
    return failures.size() + " of " + asked + " servers failed";
  }

  /** The normalized base URI of the server that failed; null when several servers were asked. */
  public URI server() {
    return server;
  }

  /**
   * The HTTP status the server answered with, or -1 when it sent none (refused connection,
   * timeout, broken connection) and for a call to several servers.
   */
  public int status() {
    return status;
  }

  /**
   * The server's one-line reason (its error body), a description of the I/O failure or of the
   * unparseable answer, or for several servers {@code "k of n servers failed"}.
   */
  public String reason() {
    return reason;
  }

  /**
   * For a call to several servers, the merged counts from the servers that did answer: their
   * counts for {@code counts()} and {@code drainAll()} (a drain that answered has removed them),
   * the new counts of their songs for {@code add()}, and nothing for {@code resetAll()}.
   * Empty for a one-server call.
   */
  public Map<String, Long> partialResults() {
    return partialResults;
  }

  /**
   * For a call to several servers, each failed server with its own one-server exception; every
   * server not named here answered. Empty for a one-server call.
   */
  public Map<URI, PlayCounterException> failures() {
    return failures;
  }
}
