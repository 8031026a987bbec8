package org.playcounter.fold;

import java.util.Locale;

/** What differs between the databases the fold job writes to, found by product name. */
enum Dialect {
  SQLITE(Database.Upsert.ON_CONFLICT, "VARCHAR(128)", "VARCHAR(1000)"),
  POSTGRESQL(Database.Upsert.ON_CONFLICT, "VARCHAR(128)", "VARCHAR(1000)"),
  /**
   * MariaDB and MySQL: song ids compared byte for byte ({@code A} and {@code a} are two songs;
   * the default collation would merge them), and a server key short enough for InnoDB's
   * 3072-byte index limit in utf8mb4.
   */
  MARIADB(Database.Upsert.UPDATE_THEN_INSERT, "VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin",
      "VARCHAR(700) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"),
  OTHER(Database.Upsert.UPDATE_THEN_INSERT, "VARCHAR(128)", "VARCHAR(1000)");

  /** How counts are added unless the caller chose. */
  final Database.Upsert upsert;
  /** The SQL type of a song id column. */
  final String song;
  /** The SQL type of a server column, part of two primary keys. */
  final String server;

  Dialect(Database.Upsert upsert, String song, String server) {
    this.upsert = upsert;
    this.song = song;
    this.server = server;
  }

  static Dialect of(String product) {
    return switch (product.toLowerCase(Locale.ROOT)) {
      case "sqlite" -> SQLITE;
      case "postgresql" -> POSTGRESQL;
      case "mariadb", "mysql" -> MARIADB;
      default -> OTHER;
    };
  }
}
