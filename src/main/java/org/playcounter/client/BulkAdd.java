package org.playcounter.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
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
  private final RendezvousRouter router;
  private final ServerCalls calls;
  private final FanOut fanOut;

  BulkAdd(RendezvousRouter router, ServerCalls calls, FanOut fanOut) {
    this.router = router;
    this.calls = calls;
    this.fanOut = fanOut;
  }

  /** Adds {@code plays}, song id to plays, and returns each song's new count. */
  Map<String, Long> add(Map<String, Long> plays) {
    Map<URI, Request> requests = new LinkedHashMap<>();
    shards(plays).forEach((server, shard) -> requests.put(server,
        calls.request(server, "/", "POST", null, textBody(shard)).keyed()));
    return fanOut.counts(requests, ServerCalls::parseCounts);
  }

  /**
   * The plays grouped by the server the router names for each song, in the order given.
   *
   * @throws IllegalArgumentException for an invalid id or a count outside 1 to
   *     {@link CountsFormat#MAX_BULK_COUNT}
   */
  private Map<URI, Map<String, Long>> shards(Map<String, Long> plays) {
    Map<URI, Map<String, Long>> shards = new LinkedHashMap<>();
    for (Map.Entry<String, Long> play : plays.entrySet()) {
      String id = SongId.check(play.getKey());
      Long count = play.getValue();
      if (count == null || count < 1 || count > CountsFormat.MAX_BULK_COUNT) {
        throw new IllegalArgumentException("plays of song " + id + " not in 1.."
            + CountsFormat.MAX_BULK_COUNT + ": " + count);
      }
      shards.computeIfAbsent(router.serverFor(id), server -> new LinkedHashMap<>()).put(id, count);
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
