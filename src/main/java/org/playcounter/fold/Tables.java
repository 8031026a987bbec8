package org.playcounter.fold;

import java.util.regex.Pattern;

/**
 * The names of the two tables the fold job writes: the plays table it adds counts to, and the
 * applied-drains table whose primary key (server, drain) makes each drain count once. The names
 * go into SQL as they are, so each must be a plain identifier: a letter or underscore, then
 * letters, digits and underscores, at most 63 in all (PostgreSQL's limit).
 *
 * @param plays the table of counts, one row per song
 * @param song its song-id column, the primary key
 * @param count its plays column
 * @param applied the table of drains already added, one row per (server, drain)
 */
record Tables(String plays, String song, String count, String applied) {
  // Before DEFAULT, which the constructor checks against it.
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

  /** The defaults: {@code songs(song, plays)} and {@code applied_drains}. */
  static final Tables DEFAULT = new Tables("songs", "song", "plays", "applied_drains");

  Tables {
    identifier(plays, "table");
    identifier(song, "song-column");
    identifier(count, "plays-column");
    identifier(applied, "applied-table");
    if (plays.equalsIgnoreCase(applied)) {
      throw new IllegalArgumentException("table and applied-table are the same: " + plays);
    }
    if (song.equalsIgnoreCase(count)) {
      throw new IllegalArgumentException("song-column and plays-column are the same: " + song);
    }
  }

  private static void identifier(String name, String what) {
    if (name == null || !IDENTIFIER.matcher(name).matches()) {
      throw new IllegalArgumentException(what + " is not a plain SQL identifier (a letter or _,"
          + " then letters, digits or _, at most 63): " + name);
    }
  }
}
