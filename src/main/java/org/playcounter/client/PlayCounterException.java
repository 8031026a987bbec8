package org.playcounter.client;

import java.net.URI;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The one failure of a {@link PlayCounterClient} call: a server answered outside 2xx, gave an
 * answer that does not parse, or could not be reached in time.
 *
 * <p>From a one-server call it names the {@link #server}, the {@link #status} and the server's
 * one-line {@link #reason}. From a call that asks several servers at once it names no single
 * server; it carries instead the merged {@link #partialResults} of the servers that answered and
 * the {@link #failures} of those that did not, and each server's own answer in
 * {@link #serverResults}, so the caller can decide what to do with a partial answer; a merge whose
 * sum for a song passes a long is reported the same way, with the songs in {@link #overflowed}.
 * A write that got no answer of its own says whether it {@link #mayHaveCounted}. Immutable.
 */
public final class PlayCounterException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The server that failed; null for a call to several servers. */
  private final URI server;
  /** The HTTP status; -1 when there was none (I/O failure, timeout) or several servers failed. */
  private final int status;
  private final String reason;
  private final Map<String, Long> partialResults;
  private final Map<URI, Map<String, Long>> serverResults;
  private final Map<URI, PlayCounterException> failures;
  private final Set<String> overflowed;
  private final boolean mayHaveCounted;

  /** A one-server failure; {@code status} is -1 when no answer arrived. */
  PlayCounterException(URI server, int status, String reason, Throwable cause) {
    this(server, status, reason, cause, false);
  }

  /** A one-server failure of a write that may have been counted, as {@link #mayHaveCounted}. */
  PlayCounterException(URI server, int status, String reason, Throwable cause,
      boolean mayHaveCounted) {
    super(server + (status < 0 ? " failed: " : " answered " + status + ": ") + reason, cause);
    this.server = server;
    this.status = status;
    this.reason = reason;
    this.partialResults = Map.of();
    this.serverResults = Map.of();
    this.failures = Map.of();
    this.overflowed = Set.of();
    this.mayHaveCounted = mayHaveCounted;
  }

  /**
   * A fan-out in which the servers named in {@code failures} failed out of {@code asked}, or in
   * which the songs in {@code overflowed} sum past {@link Long#MAX_VALUE} over the servers.
   */
  PlayCounterException(Map<String, Long> partialResults,
      Map<URI, Map<String, Long>> serverResults, Map<URI, PlayCounterException> failures,
      int asked, Set<String> overflowed) {
    super(summary(failures, asked, overflowed) + (failures.isEmpty() ? "" : ": "
        + failures.values().stream().map(PlayCounterException::getMessage)
            .collect(Collectors.joining("; "))));
    this.server = null;
    this.status = -1;
    this.reason = summary(failures, asked, overflowed);
    this.partialResults = Map.copyOf(partialResults);
    this.serverResults = Map.copyOf(serverResults);
    this.failures = Map.copyOf(failures);
    this.overflowed = Set.copyOf(overflowed);
    this.mayHaveCounted = failures.values().stream().anyMatch(PlayCounterException::mayHaveCounted);
  }

  private static String summary(Map<URI, PlayCounterException> failures, int asked,
      Set<String> overflowed) {
    String failed = failures.isEmpty() ? "" : failures.size() + " of " + asked + " servers failed";
    if (overflowed.isEmpty()) {
      return failed;
    }
    String names = overflowed.stream().limit(10).collect(Collectors.joining(", "))
        + (overflowed.size() > 10 ? ", ..." : "");
    return (failed.isEmpty() ? "" : failed + "; ") + overflowed.size()
        + (overflowed.size() == 1 ? " song's" : " songs'") + " counts sum past "
        + Long.MAX_VALUE + " over the servers (" + names + "): each server's own counts are in"
        + " serverResults()";
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
   * unparseable answer, or for several servers {@code "k of n servers failed"} and, when the
   * merge passed a long, how many songs' counts did.
   */
  public String reason() {
    return reason;
  }

  /**
   * For a call to several servers, the merged counts from the servers that did answer: their
   * counts for {@code counts()} and {@code drainAll()} (a drain that answered has removed them),
   * the new counts of their songs for {@code add()}, and nothing for {@code resetAll()}. A song
   * whose counts sum past {@link Long#MAX_VALUE} is that value here and named in
   * {@link #overflowed}. Empty for a one-server call.
   */
  public Map<String, Long> partialResults() {
    return partialResults;
  }

  /**
   * For {@code counts()}, {@code drainAll()} and {@code add()} over several servers, each server
   * that answered with its own counts, unmerged and exact: nothing a {@code drainAll()} took is
   * lost even when the merge overflows. Empty for a one-server call and for {@code resetAll()}.
   */
  public Map<URI, Map<String, Long>> serverResults() {
    return serverResults;
  }

  /**
   * The songs whose counts over the servers sum past {@link Long#MAX_VALUE} (their
   * {@link #partialResults} hold that value); empty when there are none, as for any one-server
   * call.
   */
  public Set<String> overflowed() {
    return overflowed;
  }

  /**
   * For a call to several servers, each failed server with its own one-server exception; every
   * server not named here answered. Empty for a one-server call.
   */
  public Map<URI, PlayCounterException> failures() {
    return failures;
  }

  /**
   * Whether the failed call was a write that may have been counted all the same: some attempt of
   * it reached its server (it was sent, not refused at connect) and no answer of its own came
   * back. False when the server answered (a refusal changes nothing) or was never reached. For a
   * call to several servers, whether any failed server's write may have been counted.
   */
  public boolean mayHaveCounted() {
    return mayHaveCounted;
  }
}
