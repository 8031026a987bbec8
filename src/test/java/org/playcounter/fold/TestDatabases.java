package org.playcounter.fold;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The databases a fold test class runs against, registered as
 * {@code @RegisterExtension static final TestDatabases databases = new TestDatabases();}: SQLite
 * in a temporary file, and a real PostgreSQL and MariaDB ({@link DatabaseServer}) started before
 * the class's first test and stopped after its last. A test of one not installed is skipped.
 *
 * <p>Set up by JUnit on one thread before the tests run; from then on each {@link #url} is a
 * database of its own, so tests may run at once.
 */
final class TestDatabases implements BeforeAllCallback, AfterAllCallback {
  /** The kinds of database. */
  enum Kind { SQLITE, POSTGRESQL, MARIADB }

  private final Set<Kind> kinds;
  /** Null until the class starts, and for a kind not asked for or not installed. */
  private PostgresServer postgres;
  private MariaDbServer mariadb;

  /** Every kind; {@link #TestDatabases(Kind...)} for fewer. */
  TestDatabases() {
    this(Kind.values());
  }

  /** Only {@code kinds}: a server not asked for is never started. */
  TestDatabases(Kind... kinds) {
    this.kinds = EnumSet.copyOf(List.of(kinds));
  }

  /** The kinds asked for, in their order. */
  Set<Kind> kinds() {
    return kinds;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    if (kinds.contains(Kind.POSTGRESQL)) {
      postgres = PostgresServer.startIfInstalled();
    }
    if (kinds.contains(Kind.MARIADB)) {
      try {
        mariadb = MariaDbServer.startIfInstalled();
      } catch (IOException | RuntimeException e) {
        afterAll(context);
        throw e;
      }
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (postgres != null) {
      postgres.close();
      postgres = null;
    }
    if (mariadb != null) {
      mariadb.close();
      mariadb = null;
    }
  }

  /** A new, empty database of {@code kind}: for SQLite the file {@code name}.db in {@code dir}. */
  String url(Kind kind, Path dir, String name) throws SQLException {
    if (!kinds.contains(kind)) {
      throw new IllegalArgumentException(kind + " was not asked for: " + kinds);
    }
    switch (kind) {
      case SQLITE:
        return "jdbc:sqlite:" + dir.resolve(name + ".db");
      case POSTGRESQL:
        assumeTrue(postgres != null, PostgresServer.MISSING);
        return postgres.freshUrl();
      case MARIADB:
        assumeTrue(mariadb != null, MariaDbServer.MISSING);
        return mariadb.freshUrl();
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
    return DatabaseServer.connect(url, user(url));
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
}
