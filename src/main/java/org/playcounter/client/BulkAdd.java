package org.playcounter.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.playcounter.wire.CountsFormat;
import org.playcounter.wire.CountsWriter;
import org.playcounter.wire.SongId;

/**
 * The bulk add of {@link PlayCounterClient#add}: the plays checked, sharded by the server each
 * song lives on, and sent as one keyed {@code POST /} per server, all servers at once.
 *
 * <p>It keeps no state of its own, so one instance serves every thread. Every id and count is
 * checked before anything is sent, so an invalid one sends nothing. Each server adds its shard
 * all or none, once however many attempts its key took; a failure names the servers that added
 * nothing and carries the others' new counts (as {@link FanOut#counts} reports).
 */
final class BulkAdd {
  private final Placement placement;
  private final ServerCalls calls;
  private final FanOut fanOut;
  private final ManyCounts many;

  BulkAdd(Placement placement, ServerCalls calls, FanOut fanOut, ManyCounts many) {
    this.placement = placement;
    this.calls = calls;
    this.fanOut = fanOut;
    this.many = many;
  }

  /** Adds {@code plays}, song id to plays, and returns each song's new count. */
  Map<String, Long> add(Map<String, Long> plays) {
    Set<URI> probing = new HashSet<>(); // servers due a probe: their requests are sent once
    Map<URI, Map<String, Long>> shards = shards(plays, probing);
    if (placement.direct()) {
      return fanOut.counts(requests(shards), ServerCalls::parseCounts);
    }
    Map<URI, Map<String, Long>> byServer = new LinkedHashMap<>();
    Map<URI, PlayCounterException> failures = new LinkedHashMap<>();
    Map<String, URI> where = new LinkedHashMap<>(); // each song that was added: its server
    Set<String> uncertain = new HashSet<>(); // songs whose first server may have added them
    Map<URI, Map<String, Long>> again = send(shards, probing, byServer, failures, where,
        uncertain);
    send(again, probing, byServer, failures, where, uncertain);
    Map<String, Long> counts = new LinkedHashMap<>();
    byServer.values().forEach(counts::putAll);
    // the other holders' counts join the answers as a play's do: a server that fails to answer
    // is left out, since the plays are added all the same, and a sum past a long is held
    ManyCounts.Tally others = many.tally(where.keySet(),
        id -> placement.others(id, where.get(id)), false);
    for (String id : where.keySet()) {
      long other = others.counts().getOrDefault(id, 0L);
      counts.put(id, counts.get(id) > Long.MAX_VALUE - other ? Long.MAX_VALUE
          : counts.get(id) + other);
    }
    if (!failures.isEmpty()) {
      throw new PlayCounterException(counts, byServer, failures, shards.size(), Set.of());
    }
    return Collections.unmodifiableMap(counts);
  }

  /**
   * Sends each shard as one keyed bulk add, all at once, and puts each answer in
   * {@code byServer} (its songs in {@code where}) or the failure in {@code failures}; returns the
   * plays to send again because failover marked their server down, by the next server of each.
   */
  private Map<URI, Map<String, Long>> send(Map<URI, Map<String, Long>> shards,
      Set<URI> probing, Map<URI, Map<String, Long>> byServer,
      Map<URI, PlayCounterException> failures, Map<String, URI> where, Set<String> uncertain) {
    Map<URI, List<Request>> requests = new LinkedHashMap<>();
    requests(shards).forEach((server, request) -> requests.put(server,
        List.of(probing.contains(server) ? request.sentOnce() : request)));
    FanOut.Answers<List<Map<String, Long>>> answers = fanOut.each(requests,
        ServerCalls::parseCounts);
    answers.answers().forEach((server, answer) -> {
      if (probing.remove(server)) {
        placement.markUp(server);
      }
      byServer.computeIfAbsent(server, s -> new LinkedHashMap<>()).putAll(answer.get(0));
      answer.get(0).keySet().forEach(id -> where.put(id, server));
    });
    Map<URI, Map<String, Long>> again = new LinkedHashMap<>();
    answers.failures().forEach((server, answered) -> {
      PlayCounterException failure = answered;
      if (!failure.mayHaveCounted()
          && shards.get(server).keySet().stream().anyMatch(uncertain::contains)) {
        failure = new PlayCounterException(server, failure.status(), failure.reason()
            + "; some of these plays were sent first to a server that got them and gave no"
            + " answer: they may or may not have been counted", failure, true);
      }
      if (!placement.downBy(failure, calls.isClosed())) {
        failures.put(server, failure);
        return;
      }
      PlayCounterException down = failure;
      placement.markDown(server, down);
      shards.get(server).forEach((id, count) -> {
        URI next = placement.fallback(id);
        if (next.equals(server)) { // already the song's failover: nowhere else to go
          failures.put(server, down);
          return;
        }
        if (down.mayHaveCounted()) {
          placement.possibleDouble(id, server, next);
          uncertain.add(id);
        }
        again.computeIfAbsent(next, s -> new LinkedHashMap<>()).put(id, count);
      });
    });
    return again;
  }

  private Map<URI, Request> requests(Map<URI, Map<String, Long>> shards) {
    Map<URI, Request> requests = new LinkedHashMap<>();
    shards.forEach((server, shard) -> requests.put(server,
        calls.request(server, "/", "POST", null, textBody(shard)).keyed()));
    return requests;
  }

  /**
   * The plays grouped by the server that takes each song's plays (its owner, or while the owner
   * is marked down its failover), in the order given.
   *
   * @throws IllegalArgumentException for an invalid id or a count outside 1 to
   *     {@link CountsFormat#MAX_BULK_COUNT}
   */
  private Map<URI, Map<String, Long>> shards(Map<String, Long> plays, Set<URI> probing) {
    Map<URI, Placement.State> states = new HashMap<>();
    Map<URI, Map<String, Long>> shards = new LinkedHashMap<>();
    for (Map.Entry<String, Long> play : plays.entrySet()) { // every play checked before a probe
      String id = SongId.check(play.getKey());
      Long count = play.getValue();
      if (count == null || count < 1 || count > CountsFormat.MAX_BULK_COUNT) {
        throw new IllegalArgumentException("plays of song " + id + " not in 1.."
            + CountsFormat.MAX_BULK_COUNT + ": " + count);
      }
    }
    for (Map.Entry<String, Long> play : plays.entrySet()) {
      String id = play.getKey();
      long count = play.getValue();
      URI owner = placement.owner(id);
      Placement.State state = states.computeIfAbsent(owner, placement::state);
      URI server = state == Placement.State.DOWN ? placement.fallback(id) : owner;
      if (state == Placement.State.PROBE) {
        probing.add(owner);
      }
      shards.computeIfAbsent(server, s -> new LinkedHashMap<>()).put(id, count);
    }
    return shards;
  }

  /** {@code counts} as a text bulk body, one {@code id=count} line each, in their order. */
  static String textBody(Map<String, Long> counts) {
    StringBuilder body = new StringBuilder(counts.size() * 16);
    try {
      CountsWriter writer = CountsFormat.TEXT.writer(body);
      for (Map.Entry<String, Long> entry : counts.entrySet()) {
        writer.write(entry.getKey(), entry.getValue());
      }
      writer.finish();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringBuilder does not throw
    }
    return body.toString();
  }
}
