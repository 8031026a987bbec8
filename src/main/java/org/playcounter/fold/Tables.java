package org.playcounter.fold;

import java.util.Locale;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * The names of the tables the fold job writes: the plays table it adds counts to, the
 * applied-drains table whose primary key (server, drain) makes each drain count once, and the
 * overflow table of plays whose song's total would pass a long. Each must be a plain identifier:
 * a letter or underscore, then letters, digits and underscores, at most 63 in all (PostgreSQL's
 * limit). SQL gets them quoted ({@link #quoted}), so a reserved word such as {@code order} is a
 * name like any other.
 *
 * @param plays the table of counts, one row per song
 * @param song its song-id column, the primary key
 * @param count its plays column
 * @param applied the table of drains already added, one row per (server, drain)
 * @param overflowed the table of (server, drain, song, plays) that {@code plays} could not take
 */
record Tables(String plays, String song, String count, String applied, String overflowed) {
  // Before DEFAULT, which the constructor checks against it.
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

  /** The defaults: {@code songs(song, plays)}, {@code applied_drains}, {@code overflowed_plays}. */
  static final Tables DEFAULT = new Tables("songs", "song", "plays", "applied_drains",
      "overflowed_plays");

  Tables {
    identifier(plays, "table");
    identifier(song, "song-column");
    identifier(count, "plays-column");
    identifier(applied, "applied-table");
    identifier(overflowed, "overflow-table");
    if (plays.equalsIgnoreCase(applied) || plays.equalsIgnoreCase(overflowed)
        || applied.equalsIgnoreCase(overflowed)) {
      throw new IllegalArgumentException("table, applied-table and overflow-table are not three"
          + " different tables: " + plays + ", " + applied + ", " + overflowed);
    }
    if (song.equalsIgnoreCase(count)) {
      throw new IllegalArgumentException("song-column and plays-column are the same: " + song);
    }
  }

  /** The given plays table and columns with the default applied and overflow tables. */
  Tables(String plays, String song, String count, String applied) {
    this(plays, song, count, applied, DEFAULT.overflowed);
  }

  private static void identifier(String name, String what) {
    if (name == null || !IDENTIFIER.matcher(name).matches()) {
      throw new IllegalArgumentException(what + " is not a plain SQL identifier (a letter or _,"
          + " then letters, digits or _, at most 63): " + name);
    }
  }

  /**
   * These names as the database writes them in SQL: each quoted with {@code quote} after
   * {@code fold} to the case the database folds an unquoted name to, so that {@code order}
   * works and {@code Totals} still names the table an unquoted {@code Totals} made before.
   */
  Quoted quoted(String quote, UnaryOperator<String> fold) {
    UnaryOperator<String> q = name -> quote + fold.apply(name) + quote;
    return new Quoted(q.apply(plays), q.apply(song), q.apply(count), q.apply(applied),
        q.apply(overflowed));
  }

  /** The case fold of {@link #quoted}: to lower case, to upper case, or none. */
  static UnaryOperator<String> fold(boolean lower, boolean upper) {
    return lower ? name -> name.toLowerCase(Locale.ROOT)
        : upper ? name -> name.toUpperCase(Locale.ROOT) : UnaryOperator.identity();
  }

  /** The names of {@link Tables}, quoted for one database's SQL. */
  record Quoted(String plays, String song, String count, String applied, String overflowed) {}
}
