package org.playcounter.client;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.playcounter.wire.CountsFormat;
import org.playcounter.wire.MalformedCountsException;
import org.playcounter.wire.SongId;

/**
 * The counts of many songs of {@link PlayCounterClient#counts(Collection)}: the ids checked,
 * grouped by the server each song lives on, and read with {@code GET /?id=..&id=..}, one request
 * per server unless its songs do not fit one, all servers at once.
 *
 * <p>A request carries at most {@link #MAX_IDS} ids and a request target (path and query, the
 * server's context path included) of at most {@link #MAX_REQUEST_TARGET} bytes, so that its
 * request line and headers stay inside the 8 KiB that Tomcat ({@code maxHttpHeaderSize}) and
 * Jetty ({@code requestHeaderSize}) take by default, with room for what a proxy adds. Each answer
 * must hold exactly the songs its request asked for, in that order: a server older than
 * {@code GET /?id=} ignores the query and lists every song, which is a failure here, not a count.
 * Stateless, so one instance serves every thread.
 */
final class ManyCounts {
  /** The most ids the server takes in one request (API section 8). */
  static final int MAX_IDS = 1000;
  /** The longest request target sent, in bytes: 6 KiB of the containers' 8 KiB for the head. */
  static final int MAX_REQUEST_TARGET = 6 * 1024;

  private final Placement placement;
  private final ServerCalls calls;
  private final FanOut fanOut;

  ManyCounts(Placement placement, ServerCalls calls, FanOut fanOut) {
    this.placement = placement;
    this.calls = calls;
    this.fanOut = fanOut;
  }

  /**
   * The count of every song in {@code ids}, in their order, each repeat once.
   *
   * @throws IllegalArgumentException for an invalid id, before anything is sent
   * @throws PlayCounterException if any server failed, with the counts of the others' songs
   */
  Map<String, Long> counts(Collection<String> ids) {
    Set<String> asked = new LinkedHashSet<>();
    for (String id : ids) {
      asked.add(SongId.check(id));
    }
    Tally tally = tally(asked, placement::holders, true);
    if (!tally.failures().isEmpty() || !tally.overflowed().isEmpty()) {
      throw new PlayCounterException(tally.counts(), tally.byServer(), tally.failures(),
          tally.asked(), tally.overflowed());
    }
    return Collections.unmodifiableMap(tally.counts());
  }

  /**
   * The counts of the songs {@code ids} (checked), each summed over the servers {@code holders}
   * names for it, with the servers marked down passed over; {@code needed} when at least one of
   * a song's servers must answer, else its count is not known. A song whose count is not known
   * whole is left out, and a server that failed is in the failures.
   */
  Tally tally(Set<String> ids, Function<String, List<URI>> holders, boolean needed) {
    Map<String, List<URI>> asking = new LinkedHashMap<>();
    Map<URI, Placement.State> states = new LinkedHashMap<>();
    Map<URI, List<String>> shards = new LinkedHashMap<>();
    for (String id : ids) {
      List<URI> servers = holders.apply(id);
      asking.put(id, servers);
      for (URI server : servers) {
        if (states.computeIfAbsent(server, placement::state) != Placement.State.DOWN) {
          shards.computeIfAbsent(server, s -> new ArrayList<>()).add(id);
        }
      }
    }
    Map<URI, Map<String, Long>> byServer = new LinkedHashMap<>();
    Map<URI, PlayCounterException> failures = new LinkedHashMap<>();
    read(shards, states, byServer, failures);
    Map<String, Long> result = new LinkedHashMap<>();
    Set<String> overflowed = new TreeSet<>();
    for (String id : ids) {
      long sum = 0;
      boolean whole = true;
      List<URI> servers = asking.get(id);
      boolean answered = !needed;
      for (URI server : servers) {
        Map<String, Long> counts = byServer.get(server);
        if (counts != null && counts.containsKey(id)) {
          long count = counts.get(id);
          if (sum > Long.MAX_VALUE - count) {
            sum = Long.MAX_VALUE;
            overflowed.add(id);
          } else {
            sum += count;
          }
          answered = true;
        } else if (failures.containsKey(server)) {
          whole = false;
        }
      }
      if (whole && !answered) { // every server of the song is marked down
        failures.put(servers.get(0), new PlayCounterException(servers.get(0), -1, "down, with"
            + " every other server of song " + id + " (" + servers + "): failover passes them"
            + " over", null));
        whole = false;
      }
      if (whole) {
        result.put(id, sum);
      }
    }
    return new Tally(result, byServer, failures, overflowed, shards.size());
  }

  /**
   * Asks each server of {@code shards} for its songs, all at once (once only, a server due a
   * probe in {@code states}), and puts each answer in {@code byServer} or its failure in
   * {@code failures}; a server that failover marks down is in neither.
   */
  private void read(Map<URI, List<String>> shards, Map<URI, Placement.State> states,
      Map<URI, Map<String, Long>> byServer, Map<URI, PlayCounterException> failures) {
    Map<URI, List<List<String>>> batches = new LinkedHashMap<>();
    Map<URI, List<Request>> requests = new LinkedHashMap<>();
    shards.forEach((server, songs) -> {
      List<List<String>> split = split(server, songs);
      batches.put(server, split);
      boolean probe = states.get(server) == Placement.State.PROBE;
      requests.put(server, split.stream().map(batch -> {
        Request request = calls.request(server, path(batch), "GET", null, null);
        return probe ? request.sentOnce() : request;
      }).toList());
    });
    FanOut.Answers<List<Map<String, Long>>> answers = fanOut.each(requests,
        ManyCounts::parseAnswer);
    answers.failures().forEach((server, failure) -> {
      if (placement.downBy(failure, calls.isClosed())) {
        placement.markDown(server, failure);
      } else {
        failures.put(server, failure);
      }
    });
    answers.answers().forEach((server, list) -> {
      if (states.get(server) == Placement.State.PROBE) {
        placement.markUp(server);
      }
      Map<String, Long> counts = new LinkedHashMap<>();
      for (int i = 0; i < list.size(); i++) {
        List<String> batch = batches.get(server).get(i);
        if (!new ArrayList<>(list.get(i).keySet()).equals(batch)) {
          failures.put(server, new PlayCounterException(server, 200, unexpected(batch,
              list.get(i)), null));
          return;
        }
        counts.putAll(list.get(i));
      }
      byServer.put(server, Collections.unmodifiableMap(counts));
    });
  }

  /**
   * The songs' counts summed over the servers that answered, each server's own answer, the
   * servers that failed, the songs whose sum passed a long (held at {@link Long#MAX_VALUE}) and
   * how many servers were asked.
   */
  record Tally(Map<String, Long> counts, Map<URI, Map<String, Long>> byServer,
      Map<URI, PlayCounterException> failures, Set<String> overflowed, int asked) {}

  /**
   * One server's songs in batches, in order, each batch at most {@link #MAX_IDS} ids whose request
   * target, {@code server}'s context path included, is at most {@link #MAX_REQUEST_TARGET} bytes.
   */
  static List<List<String>> split(URI server, List<String> ids) {
    int base = server.getRawPath().length() + "/?".length();
    List<List<String>> batches = new ArrayList<>();
    List<String> batch = new ArrayList<>();
    int length = base;
    for (String id : ids) {
      int more = (batch.isEmpty() ? 0 : 1) + "id=".length() + id.length();
      if (!batch.isEmpty() && (batch.size() == MAX_IDS || length + more > MAX_REQUEST_TARGET)) {
        batches.add(batch);
        batch = new ArrayList<>();
        length = base;
        more = "id=".length() + id.length();
      }
      batch.add(id);
      length += more;
    }
    if (!batch.isEmpty()) {
      batches.add(batch);
    }
    return batches;
  }

  /** {@code /?id=a&id=b}: song ids need no escaping, being unreserved characters only. */
  static String path(List<String> batch) {
    StringBuilder path = new StringBuilder("/?");
    for (String id : batch) {
      path.append(path.length() == 2 ? "id=" : "&id=").append(id);
    }
    return path.toString();
  }

  private static Map<String, Long> parseAnswer(Answer response)
      throws MalformedCountsException {
    return CountsFormat.TEXT.parseAnswer(response.body());
  }

  private static String unexpected(List<String> asked, Map<String, Long> answered) {
    Set<String> extra = new LinkedHashSet<>(answered.keySet());
    extra.removeAll(asked);
    String what = !extra.isEmpty() ? answered.size() + " songs, " + extra.size()
        + " of them not asked for (a server without GET /?id= lists every song)"
        : answered.size() + " of the " + asked.size() + " songs asked for";
    return "unexpected answer: " + what + ", not exactly the songs asked for in their order";
  }
}
