package org.playcounter.client;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * The calls that ask several servers: every request sent at once, then every answer awaited, and
 * the servers' counts merged; failures collected into one {@link PlayCounterException} with the
 * answers that did come.
 */
final class FanOut {
  private final ServerCalls calls;

  FanOut(ServerCalls calls) {
    this.calls = calls;
  }

  /** {@link #all} of calls that answer counts, merged; partial results are the same merge. */
  Map<String, Long> counts(Map<URI, HttpRequest> requests,
      ServerCalls.Reader<Map<String, Long>> reader) {
    return merge(all(requests, reader, FanOut::merge).values());
  }

  /**
   * Sends every request at once, then waits for all of them.
   *
   * @throws PlayCounterException if any failed, with {@code partial} of the answers that came
   */
  <T> Map<URI, T> all(Map<URI, HttpRequest> requests, ServerCalls.Reader<T> reader,
      Function<Collection<T>, Map<String, Long>> partial) {
    Map<URI, CompletableFuture<T>> pending = new LinkedHashMap<>();
    requests.forEach((server, request) -> pending.put(server, calls.sendAsync(server, request, reader)));
    Map<URI, T> answers = new LinkedHashMap<>();
    Map<URI, PlayCounterException> failures = new LinkedHashMap<>();
    pending.forEach((server, answer) -> {
      try {
        answers.put(server, answer.join());
      } catch (CompletionException e) {
        failures.put(server, ServerCalls.unreachable(server, e));
      }
    });
    if (!failures.isEmpty()) {
      throw new PlayCounterException(partial.apply(answers.values()), failures, requests.size());
    }
    return answers;
  }

  /** The union of the servers' counts; an id on two servers (after a reshard) is summed. */
  static Map<String, Long> merge(Collection<Map<String, Long>> parts) {
    if (parts.size() == 1) {
      return Collections.unmodifiableMap(parts.iterator().next());
    }
    Map<String, Long> merged = new HashMap<>();
    for (Map<String, Long> part : parts) {
      part.forEach((id, count) -> merged.merge(id, count, Math::addExact));
    }
    return Collections.unmodifiableMap(merged);
  }
}
