package org.playcounter.server;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.playcounter.store.PlayCountStore;
import org.playcounter.wire.CountsFormat;
import org.playcounter.wire.SongId;

/**
 * The query string of {@code /}: without an {@code id} parameter every song (the original
 * {@code GET /}, whatever else the query holds); with one, {@code GET /?id=1&id=5} reads exactly
 * the songs named, in the order asked, each repeat once at its first place, a song never played
 * as 0. The whole query is checked before anything is read, and its first problem is the one
 * named.
 *
 * <p>Read from the raw query string alone, never through {@code getParameter}, which would
 * consume a form-encoded bulk body; each id's percent-escapes are decoded as a path segment's
 * are ({@link SongId#fromPathSegment}), so {@code ?id=%31} is song {@code 1} and a {@code +} is a
 * {@code +}, which no id holds. Immutable.
 */
final class SongsQuery {
  /** Most {@code id} parameters one request may carry, repeats included. */
  static final int MAX_IDS = 1000;

  private static final String ID = "id";
  private static final SongsQuery EVERY_SONG = new SongsQuery(null, null, null);

  /** The songs asked for, distinct, in the order asked; null for every song. */
  private final List<String> ids;
  private final Rejection rejection;
  private final String problem;

  private SongsQuery(List<String> ids, Rejection rejection, String problem) {
    this.ids = ids;
    this.rejection = rejection;
    this.problem = problem;
  }

  /**
   * The query of a {@code method} request to {@code /}, {@code rawQuery} as sent (null: none).
   * Only {@code GET} and {@code HEAD} take {@code id}: a {@code POST /} or {@code DELETE /} that
   * names songs in its query would otherwise add or remove other songs than those named.
   */
  static SongsQuery of(String rawQuery, String method) {
    if (rawQuery == null || rawQuery.isEmpty() || !namesId(rawQuery)) {
      return EVERY_SONG;
    }
    if (!method.equals("GET") && !method.equals("HEAD")) {
      return refused(Rejection.BAD_QUERY, "query parameter \"id\" is taken by GET and HEAD only: "
          + method + " / acts on " + (method.equals("POST") ? "the songs of its body"
              : "every song") + ", not those named; nothing was changed");
    }
    Set<String> ids = new LinkedHashSet<>();
    int asked = 0;
    for (String parameter : rawQuery.split("&", -1)) {
      if (parameter.isEmpty()) {
        continue; // "?&id=1" or "?id=1&": nothing there
      }
      int equals = parameter.indexOf('=');
      String name = name(parameter, equals);
      if (!ID.equals(name)) {
        return refused(Rejection.BAD_QUERY, name == null ? Route.MALFORMED_QUERY
            : "query parameter " + CountsFormat.shown(name) + " is not taken with id: GET /"
                + " takes only id parameters, one a song");
      }
      if (++asked > MAX_IDS) {
        return refused(Rejection.BAD_QUERY, "more than " + MAX_IDS + " id parameters: ask for"
            + " at most " + MAX_IDS + " songs a request");
      }
      String raw = equals < 0 ? "" : parameter.substring(equals + 1);
      try {
        ids.add(SongId.fromPathSegment(raw));
      } catch (IllegalArgumentException e) {
        return refused(Rejection.BAD_SONG_ID, "id " + asked + " (" + CountsFormat.shown(raw)
            + "): " + e.getMessage());
      }
    }
    return new SongsQuery(List.copyOf(ids), null, null);
  }

  private static SongsQuery refused(Rejection rejection, String problem) {
    return new SongsQuery(null, rejection, problem);
  }

  /** True when some parameter of the raw query is named {@code id}, escaped or not. */
  private static boolean namesId(String rawQuery) {
    for (String parameter : rawQuery.split("&")) {
      if (ID.equals(name(parameter, parameter.indexOf('=')))) {
        return true;
      }
    }
    return false;
  }

  /** The decoded name of a parameter whose first {@code =} is at {@code equals} (-1: none). */
  private static String name(String parameter, int equals) {
    return Route.parameterName(equals < 0 ? parameter : parameter.substring(0, equals));
  }

  /** True when the request reads (or changes) every song: its query names no {@code id}. */
  boolean everySong() {
    return ids == null && problem == null;
  }

  /** Why the request is refused, one line naming its first problem; null when it is not. */
  String problem() {
    return problem;
  }

  /** The kind of refusal {@link #problem} is; null when there is none. */
  Rejection rejection() {
    return rejection;
  }

  /**
   * The counts of the songs asked for, each read from {@code store} as {@code GET /song/{id}}
   * reads it (live plus pending drains) as it is written: each count is its song's at one
   * instant, not all of them at the same one.
   */
  Replies.Counts counts(PlayCountStore store) {
    return visitor -> {
      for (String id : ids) {
        visitor.visit(id, store.get(id));
      }
    };
  }
}
