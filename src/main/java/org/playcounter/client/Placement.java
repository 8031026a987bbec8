package org.playcounter.client;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where a song's plays go and which servers' counts of it are summed: its owner in the current
 * list, its owner in the previous list while {@link PlayCounterClientBuilder#previousServers} is
 * set, and with {@link PlayCounterClientBuilder#failover} the next server of its rendezvous order
 * in the current list, which takes its plays while the owner is down.
 *
 * <p>Implementation notes. Without a previous list and without failover a song has one server,
 * and the client takes the direct path it always took ({@link #direct}). With failover, a server
 * is marked down when a call to it ran out of {@code retryFor} without an answer (or with 503
 * alone); while marked, calls pass it over at once instead of waiting out their own
 * {@code retryFor}, and once a second ({@link #PROBE_NANOS}) one call to one of its songs tries it
 * with a single attempt: an answer marks it up again. The failover server is the one that would
 * own the song if the owner were removed from the list, so a server removed after an outage has
 * its songs' displaced plays already where its songs go. Thread-safe: the marks are a concurrent
 * map, everything else is immutable.
 */
final class Placement {
  /** How long a server found down is passed over before one call tries it again. */
  static final long PROBE_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final System.Logger LOG = System.getLogger(PlayCounterClient.class.getName());

  /** What a call does with one server now. */
  enum State {
    /** Not marked down: ask it as usual. */
    UP,
    /** Marked down: pass it over. */
    DOWN,
    /** Marked down, and this call is the one to try it again, once. */
    PROBE
  }

  private final RendezvousRouter current;
  /** The list before the last change of membership; null when none is set. */
  private final RendezvousRouter previous;
  private final boolean failover;
  /** Every server of both lists, the current ones first. */
  private final List<URI> servers;
  /** The servers marked down, each with when a call may next try it, in nanoTime. */
  private final ConcurrentHashMap<URI, Long> down = new ConcurrentHashMap<>();
  private final LongAdder possibleDoubles = new LongAdder();

  Placement(RendezvousRouter current, RendezvousRouter previous, boolean failover) {
    this.current = current;
    this.previous = previous;
    this.failover = failover && current.servers().size() > 1;
    Set<URI> all = new LinkedHashSet<>(current.servers());
    if (previous != null) {
      all.addAll(previous.servers());
    }
    this.servers = List.copyOf(all);
  }

  /** The current list's router. */
  RendezvousRouter router() {
    return current;
  }

  /** Every server of the current and the previous list, the current ones first. */
  List<URI> servers() {
    return servers;
  }

  /** True when every song has one server: no previous list, no failover. */
  boolean direct() {
    return previous == null && !failover;
  }

  boolean failover() {
    return failover;
  }

  /** The server that takes the song's plays: its owner in the current list. */
  URI owner(String id) {
    return current.serverFor(id);
  }

  /** With failover, where the song's plays go while its owner is down; else null. */
  URI fallback(String id) {
    return failover ? current.ranking(id).get(1) : null;
  }

  /** The servers whose counts of the song sum to its count: the owner first, each once. */
  List<URI> holders(String id) {
    List<URI> holders = new ArrayList<>(3);
    if (failover) {
      List<URI> ranking = current.ranking(id);
      holders.add(ranking.get(0));
      holders.add(ranking.get(1));
    } else {
      holders.add(current.serverFor(id));
    }
    if (previous != null) {
      URI before = previous.serverFor(id);
      if (!holders.contains(before)) {
        holders.add(before);
      }
    }
    return holders;
  }

  /**
   * The servers whose counts add to the answer of a play that {@code took} counted: the song's
   * other holders, but not its failover server when the owner took it. A play's answer so costs
   * no read while every server is up; a read ({@link #holders}) still asks the failover server.
   */
  List<URI> others(String id, URI took) {
    List<URI> others = holders(id);
    others.remove(took);
    URI fallback = fallback(id);
    if (failover && took.equals(owner(id))
        && (previous == null || !previous.serverFor(id).equals(fallback))) {
      others.remove(fallback); // unless it is the previous owner too, which holds the song
    }
    return others;
  }

  /** Whether the server is marked down; never takes its probe. */
  boolean isDown(URI server) {
    return down.containsKey(server);
  }

  /** What a call does with {@code server} now; a call told {@link State#PROBE} must try it. */
  State state(URI server) {
    Long next = down.get(server);
    if (next == null) {
      return State.UP;
    }
    long now = System.nanoTime();
    return now - next >= 0 && down.replace(server, next, now + PROBE_NANOS) ? State.PROBE
        : State.DOWN;
  }

  /**
   * Whether {@code failure} says that its server is down for failover: with failover on, no
   * answer came within {@code retryFor} (I/O failures or timeouts only), or only 503s did. A
   * closed client, an interrupt or any other answer is not.
   */
  boolean downBy(PlayCounterException failure, boolean closed) {
    if (!failover || closed) {
      return false;
    }
    return failure.status() == 503
        || failure.status() == -1 && failure.getCause() instanceof IOException;
  }

  /** Marks the server down after {@code failure}; calls pass it over for a second. */
  void markDown(URI server, PlayCounterException failure) {
    if (down.put(server, System.nanoTime() + PROBE_NANOS) == null) {
      LOG.log(Level.WARNING, "playcounter server {0} is down, its songs fail over to the next"
          + " server of each: {1}", server, failure.getMessage());
    }
  }

  /** Marks the server up after an answer from it. */
  void markUp(URI server) {
    if (down.remove(server) != null) {
      LOG.log(Level.WARNING, "playcounter server {0} answers again", server);
    }
  }

  /**
   * Counts a play sent to {@code fallback} after its attempts at {@code owner} may have been
   * counted there: if they were, the song has one play too many until someone corrects it.
   */
  void possibleDouble(String id, URI owner, URI fallback) {
    possibleDoubles.increment();
    LOG.log(Level.WARNING, "play of song {0} may count twice: sent to {1}, no answer in time,"
        + " then counted on {2}", id, owner, fallback);
  }

  /** How many plays {@link #possibleDouble} counted. */
  long possibleDoubles() {
    return possibleDoubles.sum();
  }
}
