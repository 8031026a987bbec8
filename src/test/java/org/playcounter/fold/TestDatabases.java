package org.playcounter.fold;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * The databases the fold job's database tests run against, for one test class: SQLite in a
 * temporary file, and a real PostgreSQL and MariaDB each started for the class (a test of one
 * not installed is skipped, as {@link PostgresServer} and {@link MariaDbServer} say).
 */
final class TestDatabases implements AutoCloseable {
  /** The kinds of database. */
  enum Kind { SQLITE, POSTGRESQL, MARIADB }

  private final PostgresServer postgres;
  private final MariaDbServer mariadb;

  private TestDatabases(PostgresServer postgres, MariaDbServer mariadb) {
    this.postgres = postgres;
    this.mariadb = mariadb;
  }

  static TestDatabases start() throws IOException {
    PostgresServer postgres = PostgresServer.startIfInstalled();
    try {
      return new TestDatabases(postgres, MariaDbServer.startIfInstalled());
    } catch (IOException | RuntimeException e) {
      if (postgres != null) {
        postgres.close();
      }
      throw e;
    }
  }

  /** A new, empty database of {@code kind}: for SQLite the file {@code name}.db in {@code dir}. */
  String url(Kind kind, Path dir, String name) throws SQLException {
    switch (kind) {
      case SQLITE:
        return "jdbc:sqlite:" + dir.resolve(name + ".db");
      case POSTGRESQL:
        assumeTrue(postgres != null, PostgresServer.MISSING);
        return postgres.freshSchemaUrl();
      case MARIADB:
        assumeTrue(mariadb != null, MariaDbServer.MISSING);
        return mariadb.freshDatabaseUrl();
      default:
        throw new IllegalArgumentException("unknown kind " + kind);
    }
  }

  /** The user to connect to {@code url} as, null for SQLite. */
  static String user(String url) {
    return url.startsWith("jdbc:postgresql:") ? PostgresServer.USER
        : url.startsWith("jdbc:mariadb:") ? MariaDbServer.USER : null;
  }

  static Database open(String url, Tables tables) throws SQLException {
    return Database.open(url, user(url), null, tables);
  }

  static Connection connect(String url) throws SQLException {
    return url.startsWith("jdbc:postgresql:") ? PostgresServer.connect(url)
        : url.startsWith("jdbc:mariadb:") ? MariaDbServer.connect(url)
        : DriverManager.getConnection(url);
  }

  /** {@code name} quoted as the database at {@code url} quotes it, for any name. */
  static String quote(String url, String name) {
    String quote = url.startsWith("jdbc:mariadb:") ? "`" : "\"";
    return quote + (url.startsWith("jdbc:postgresql:") ? name.toLowerCase() : name) + quote;
  }

  /** The plays table's rows, song to plays. */
  static Map<String, Long> plays(String url, Tables tables) throws SQLException {
    Map<String, Long> plays = new HashMap<>();
    try (Connection connection = connect(url);
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT " + quote(url, tables.song()) + ", "
            + quote(url, tables.count()) + " FROM " + quote(url, tables.plays()))) {
      while (rows.next()) {
        plays.put(rows.getString(1), rows.getLong(2));
      }
    }
    return plays;
  }

  @Override
  public void close() {
    if (postgres != null) {
      postgres.close();
    }
    if (mariadb != null) {
      mariadb.close();
    }
  }
}
