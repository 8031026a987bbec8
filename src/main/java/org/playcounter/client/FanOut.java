package org.playcounter.client;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The calls that ask several servers: every request sent at once, then every answer awaited, and
 * the servers' counts merged.
 *
 * <p>Thread-safe and stateless beyond its settings; the servers answer each at its own instant,
 * so a merge is no snapshot (an inconsistent view). Every answer ends, because each is bounded in
 * time by its {@link Exchange}. Failures, and songs whose counts sum past a long over the servers,
 * are reported in one {@link PlayCounterException} that keeps every answer that came.
 */
final class FanOut {
  private final ServerCalls calls;
  /** The client's servers, normalized, in the router's order. */
  private final List<URI> servers;

  FanOut(ServerCalls calls, List<URI> servers) {
    this.calls = calls;
    this.servers = List.copyOf(servers);
  }

  /** One bodiless request to {@code /} on each of the client's servers. */
  Map<URI, Request> everyServer(String method, String prefer) {
    Map<URI, Request> requests = new LinkedHashMap<>();
    for (URI server : servers) {
      requests.put(server,
          calls.request(server, "/", method, prefer, null));
    }
    return requests;
  }

  /**
   * {@link #all} of calls that answer counts, merged.
   *
   * @throws PlayCounterException if a server failed or a song's counts sum past
   *     {@link Long#MAX_VALUE}: its partial results are the merge, saturated at
   *     {@code Long.MAX_VALUE}, its server results every answer as it came
   */
  Map<String, Long> counts(Map<URI, Request> requests,
      ServerCalls.Reader<Map<String, Long>> reader) {
    Answers<Map<String, Long>> answers = all(requests, reader);
    Set<String> overflowed = new TreeSet<>();
    Map<String, Long> merged = merge(answers.answers().values(), overflowed);
    if (!answers.failures().isEmpty() || !overflowed.isEmpty()) {
      throw new PlayCounterException(merged, answers.answers(), answers.failures(),
          requests.size(), overflowed);
    }
    return merged;
  }

  /**
   * Sends every request at once, then waits for all of them.
   *
   * @throws PlayCounterException if any failed, with no partial results: for calls whose
   *     answers are not counts
   */
  <T> Map<URI, T> every(Map<URI, Request> requests, ServerCalls.Reader<T> reader) {
    Answers<T> answers = all(requests, reader);
    if (!answers.failures().isEmpty()) {
      throw new PlayCounterException(Map.of(), Map.of(), answers.failures(), requests.size(),
          Set.of());
    }
    return answers.answers();
  }

  private <T> Answers<T> all(Map<URI, Request> requests, ServerCalls.Reader<T> reader) {
    Map<URI, List<Request>> one = new LinkedHashMap<>();
    requests.forEach((server, request) -> one.put(server, List.of(request)));
    Answers<List<T>> answers = each(one, reader);
    Map<URI, T> first = new LinkedHashMap<>();
    answers.answers().forEach((server, list) -> first.put(server, list.get(0)));
    return new Answers<>(first, answers.failures());
  }

  /**
   * Sends every request at once, several to a server whose share did not fit one, then waits
   * for all of them: a server's answers in the order of its requests, or its first failure.
   */
  <T> Answers<List<T>> each(Map<URI, List<Request>> requests,
      ServerCalls.Reader<T> reader) {
    // every request but the last on the executor, the last on this thread: so a fan-out of one
    // server needs no thread of the executor, and one called from a thread of the executor (a
    // callback of an async call) always makes progress on its own
    Map<URI, List<CompletableFuture<T>>> pending = new LinkedHashMap<>();
    URI lastServer = null;
    Request lastRequest = null;
    for (Map.Entry<URI, List<Request>> share : requests.entrySet()) {
      List<CompletableFuture<T>> sent = new ArrayList<>(share.getValue().size());
      pending.put(share.getKey(), sent);
      for (Request request : share.getValue()) {
        if (lastRequest != null) {
          pending.get(lastServer).add(calls.sendAsync(lastServer, lastRequest, reader));
        }
        lastServer = share.getKey();
        lastRequest = request;
      }
    }
    if (lastRequest != null) {
      pending.get(lastServer).add(calls.sendHere(lastServer, lastRequest, reader));
    }
    Map<URI, List<T>> answers = new LinkedHashMap<>();
    Map<URI, PlayCounterException> failures = new LinkedHashMap<>();
    pending.forEach((server, list) -> {
      List<T> answered = new ArrayList<>(list.size());
      for (CompletableFuture<T> answer : list) {
        try {
          answered.add(answer.join()); // ends: every exchange has a deadline
        } catch (CompletionException e) {
          failures.putIfAbsent(server, ServerCalls.unreachable(server, e));
        }
      }
      if (!failures.containsKey(server)) {
        answers.put(server, answered);
      }
    });
    return new Answers<>(answers, failures);
  }

  /**
   * The union of the servers' counts; an id on two servers (after a reshard) is summed, and a
   * sum past {@link Long#MAX_VALUE} is that value, its id added to {@code overflowed}.
   */
  static Map<String, Long> merge(Collection<Map<String, Long>> parts, Set<String> overflowed) {
    if (parts.size() == 1) {
      return Collections.unmodifiableMap(parts.iterator().next());
    }
    Map<String, Long> merged = new HashMap<>();
    for (Map<String, Long> part : parts) {
      part.forEach((id, count) -> merged.merge(id, count, (a, b) -> {
        long sum = a + b;
        if (sum < 0) { // both are counts, never negative: a negative sum is an overflow
          overflowed.add(id);
          return Long.MAX_VALUE;
        }
        return sum;
      }));
    }
    return Collections.unmodifiableMap(merged);
  }

  /** The answers that came and the failures of the others, by server. */
  record Answers<T>(Map<URI, T> answers, Map<URI, PlayCounterException> failures) {}
}
