package org.playcounter.client;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Routes each song id to one of a fixed set of counter servers by rendezvous
 * (highest-random-weight) hashing, so that a song's whole count lives on exactly one server.
 *
 * <p>Every server scores every song: the score is the first 8 bytes, read big-endian as an
 * unsigned 64-bit integer, of MD5 over the UTF-8 bytes of {@code serverKey + "\n" + songId}.
 * The highest score wins; on a tie (practically impossible) the lexicographically smaller server
 * key wins. The server key is the normalized base URI: scheme and host lower-cased, the port
 * always explicit (80 or 443 filled in), the path without a trailing slash, as in
 * {@code http://127.0.0.1:8080} or {@code http://host:8080/playcounter}. Routing therefore
 * depends only on the set of servers, never on their order, the JVM or {@code String.hashCode}.
 * Adding a server moves to it only the songs it now wins, about 1/(n+1) of them; removing one
 * moves only its own songs. Each lookup costs one MD5 per server, which is cheap next to the
 * HTTP call it routes.
 *
 * <p>Immutable and thread-safe.
 */
public final class RendezvousRouter {
  private static final byte[] SEPARATOR = {'\n'};

  /** The normalized servers, in the order given. */
  private final List<URI> servers;
  /** Per server, MD5 already fed its key and separator; only cloned, never updated again. */
  private final MessageDigest[] prefixes;
  private final String[] keys;

  /**
   * Creates the router of {@code servers}, given as http or https base URIs, optionally with a
   * context path.
   *
   * @throws IllegalArgumentException if the collection is empty, a URI is not an absolute
   *     http(s) URI with a host, carries user info, a query or a fragment, or two URIs name the
   *     same server once normalized ({@code http://h} and {@code http://H:80/} do)
   */
  public RendezvousRouter(Collection<URI> servers) {
    if (servers.isEmpty()) {
      throw new IllegalArgumentException("no servers: " + servers);
    }
    List<URI> normalized = new ArrayList<>(servers.size());
    Set<URI> seen = new HashSet<>();
    for (URI server : servers) {
      URI uri = normalize(server);
      if (!seen.add(uri)) {
        throw new IllegalArgumentException("duplicate server: " + server);
      }
      normalized.add(uri);
    }
    this.servers = List.copyOf(normalized);
    this.keys = new String[normalized.size()];
    this.prefixes = new MessageDigest[normalized.size()];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = normalized.get(i).toString();
      prefixes[i] = md5();
      prefixes[i].update(keys[i].getBytes(StandardCharsets.UTF_8));
      prefixes[i].update(SEPARATOR);
    }
  }

  /** The normalized servers, in the order the router was given them. */
  public List<URI> servers() {
    return servers;
  }

  /** The server that holds {@code songId}; any string routes, the client validates ids first. */
  public URI serverFor(String songId) {
    byte[] id = songId.getBytes(StandardCharsets.UTF_8);
    int best = 0;
    long bestScore = score(prefixes[0], id);
    for (int i = 1; i < keys.length; i++) {
      long score = score(prefixes[i], id);
      int order = Long.compareUnsigned(score, bestScore);
      if (order > 0 || (order == 0 && keys[i].compareTo(keys[best]) < 0)) {
        best = i;
        bestScore = score;
      }
    }
    return servers.get(best);
  }

  /**
   * Every server in {@code songId}'s order of preference, best first: {@link #serverFor} is the
   * first, and the second is the one that would hold the song if the first were removed, which is
   * where {@linkplain PlayCounterClientBuilder#failover failover} sends its plays.
   */
  public List<URI> ranking(String songId) {
    byte[] id = songId.getBytes(StandardCharsets.UTF_8);
    long[] scores = new long[keys.length];
    Integer[] order = new Integer[keys.length];
    for (int i = 0; i < keys.length; i++) {
      scores[i] = score(prefixes[i], id);
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> {
      int byScore = Long.compareUnsigned(scores[b], scores[a]);
      return byScore != 0 ? byScore : keys[a].compareTo(keys[b]);
    });
    List<URI> ranked = new ArrayList<>(keys.length);
    for (int i : order) {
      ranked.add(servers.get(i));
    }
    return ranked;
  }

  /** The score of {@code serverKey} for {@code songId}, as the class documentation defines it. */
  static long score(String serverKey, String songId) {
    MessageDigest prefix = md5();
    prefix.update(serverKey.getBytes(StandardCharsets.UTF_8));
    prefix.update(SEPARATOR);
    return score(prefix, songId.getBytes(StandardCharsets.UTF_8));
  }

  private static long score(MessageDigest prefix, byte[] songId) {
    MessageDigest digest;
    try {
      digest = (MessageDigest) prefix.clone();
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("this JDK's MD5 cannot be cloned", e);
    }
    byte[] hash = digest.digest(songId);
    long score = 0;
    for (int i = 0; i < Long.BYTES; i++) {
      score = (score << 8) | (hash[i] & 0xff);
    }
    return score;
  }

  /**
   * Returns the server key of {@code server} as a URI: {@code scheme://host:port[/path]} with
   * scheme and host lower-cased, the default port filled in and trailing slashes removed.
   *
   * @throws IllegalArgumentException if it is not a base URI of an http(s) server
   */
  static URI normalize(URI server) {
    Objects.requireNonNull(server, "server");
    String scheme = server.getScheme() == null ? "" : server.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("server URI is not http or https: " + server);
    }
    if (server.getHost() == null) {
      throw new IllegalArgumentException("server URI has no host: " + server);
    }
    if (server.getRawUserInfo() != null) {
      throw new IllegalArgumentException("server URI has user info: " + server);
    }
    if (server.getRawQuery() != null || server.getRawFragment() != null) {
      throw new IllegalArgumentException("server URI has a query or fragment: " + server);
    }
    int port = server.getPort() != -1 ? server.getPort() : scheme.equals("http") ? 80 : 443;
    String path = server.getRawPath() == null ? "" : server.getRawPath();
    int end = path.length();
    while (end > 0 && path.charAt(end - 1) == '/') {
      end--;
    }
    return URI.create(scheme + "://" + server.getHost().toLowerCase(Locale.ROOT) + ":" + port
        + path.substring(0, end));
  }

  private static MessageDigest md5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK provides MD5", e);
    }
  }

  @Override
  public String toString() {
    return "RendezvousRouter" + servers;
  }
}
