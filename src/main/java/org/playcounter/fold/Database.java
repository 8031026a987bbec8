package org.playcounter.fold;

import java.math.BigInteger;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * The relational database the fold job adds drained counts to, each drain exactly once: a drain
 * is added in one transaction together with its row in the applied-drains table, whose primary
 * key (server, drain) refuses a second row. So a job that died after its commit but before
 * acknowledging the drain finds the row on its next run and adds nothing, and of two jobs racing
 * for the same drain the second fails on the key, rolls back and sees the first one's row.
 *
 * <p>The counts themselves go in through {@link PlaysTable}: sorted, in batches, with one
 * {@code INSERT ... ON CONFLICT DO UPDATE} on SQLite and PostgreSQL and an {@code UPDATE} or
 * {@code INSERT} per song on any other database, a song whose total would pass a long kept in the
 * overflow table instead. A transaction the database gives up on for a reason that a second try
 * can cure (a deadlock, a serialization failure, a racing job's write) is run again, at most
 * {@value #ATTEMPTS} times. Names of tables and columns are quoted as the database quotes them.
 * Not thread-safe: one connection, used by one job.
 */
final class Database implements AutoCloseable {
  /** How many times one drain's transaction is tried before its failure is the job's. */
  static final int ATTEMPTS = 5;
  private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);
  /**
   * SQLStates a new attempt can cure: serialization failure, deadlock (PostgreSQL's and the
   * standard's), a total a racing job pushed out of range between read and write, and a unique
   * row a racing job inserted first (PostgreSQL's and MySQL's).
   */
  private static final Set<String> TRANSIENT = Set.of("40001", "40P01", "22003", "23505", "23000");

  /** How counts are added to the plays table. */
  enum Upsert {
    /** {@code INSERT ... ON CONFLICT (song) DO UPDATE}: SQLite and PostgreSQL. */
    ON_CONFLICT,
    /** {@code UPDATE} of the songs the table has, {@code INSERT} of the others: any database. */
    UPDATE_THEN_INSERT
  }

  /** What {@link #apply} did with a drain. */
  enum Outcome {
    /** Its counts were added now. */
    APPLIED,
    /** Its row was there already (an earlier or a racing job added it), so nothing was added. */
    ALREADY_APPLIED
  }

  private final Connection connection;
  private final Tables.Quoted tables;
  private final Upsert upsert;
  private final Dialect dialect;
  private final PlaysTable plays;

  private Database(Connection connection, Tables tables, Upsert upsert) throws SQLException {
    DatabaseMetaData meta = connection.getMetaData();
    this.connection = connection;
    this.tables = tables.quoted(meta.getIdentifierQuoteString().strip(),
        Tables.fold(meta.storesLowerCaseIdentifiers(), meta.storesUpperCaseIdentifiers()));
    this.dialect = Dialect.of(meta.getDatabaseProductName());
    this.upsert = upsert != null ? upsert : dialect.upsert;
    this.plays = new PlaysTable(connection, this.tables, this.upsert);
  }

  /**
   * Connects to the database at the JDBC {@code url}, creates the two tables if they are
   * missing, and chooses how to add counts by the database's product name.
   *
   * @param user the user, or null to connect as the URL or the driver decides
   * @param password the password, or null for none
   */
  static Database open(String url, String user, String password, Tables tables)
      throws SQLException {
    return open(url, user, password, tables, null);
  }

  /** {@link #open(String, String, String, Tables)} with a chosen {@code upsert}, null to detect. */
  static Database open(String url, String user, String password, Tables tables, Upsert upsert)
      throws SQLException {
    Properties properties = new Properties();
    if (user != null) {
      properties.setProperty("user", user);
    }
    if (password != null) {
      properties.setProperty("password", password);
    }
    if (url.startsWith("jdbc:postgresql:") && !url.contains("reWriteBatchedInserts")) {
      // The driver then sends a batch of upserts as multi-row statements: 1.46x the database's
      // rate on 1M songs (src/bench/fold.sh). A URL that sets it itself wins.
      properties.setProperty("reWriteBatchedInserts", "true");
    }
    Connection connection = DriverManager.getConnection(url, properties);
    try {
      Database database = new Database(connection, tables, upsert);
      database.createTables();
      return database;
    } catch (SQLException | RuntimeException e) {
      try {
        connection.close();
      } catch (SQLException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /** How this database adds counts. */
  Upsert upsert() {
    return upsert;
  }

  /**
   * Creates the tables that are missing. Two jobs starting at once can both find a table missing:
   * PostgreSQL then fails the second {@code CREATE TABLE IF NOT EXISTS} on its catalog's unique
   * key (23505) or as a duplicate type (42710) or table (42P07), and once more finds it there.
   */
  private void createTables() throws SQLException {
    for (int attempt = 1; ; attempt++) {
      try {
        createTablesOnce();
        return;
      } catch (SQLException e) {
        if (attempt == ATTEMPTS || !Set.of("23505", "42710", "42P07").contains(e.getSQLState())) {
          throw e;
        }
      }
    }
  }

  private void createTablesOnce() throws SQLException {
    connection.setAutoCommit(true);
    try (Statement statement = connection.createStatement()) {
      statement.executeUpdate("CREATE TABLE IF NOT EXISTS " + tables.plays() + " ("
          + tables.song() + " " + dialect.song + " NOT NULL PRIMARY KEY, "
          + tables.count() + " BIGINT NOT NULL)");
      statement.executeUpdate("CREATE TABLE IF NOT EXISTS " + tables.applied() + " ("
          + "server " + dialect.server + " NOT NULL, drain BIGINT NOT NULL, songs BIGINT NOT NULL,"
          + " plays BIGINT NOT NULL, applied_at VARCHAR(40) NOT NULL, "
          + "PRIMARY KEY (server, drain))");
      statement.executeUpdate("CREATE TABLE IF NOT EXISTS " + tables.overflowed() + " ("
          + "server " + dialect.server + " NOT NULL, drain BIGINT NOT NULL, song " + dialect.song
          + " NOT NULL, plays BIGINT NOT NULL, PRIMARY KEY (server, drain, song))");
    }
    connection.setAutoCommit(false);
  }

  /**
   * Adds a drain's counts to the plays table unless (server, drain) was applied before, in one
   * transaction with its applied-drains row. On return the drain is in the database exactly
   * once, whoever added it; only then may it be acknowledged.
   *
   * @param server the drain's server, as the client's ring names it
   * @param counts song id to plays
   * @throws SQLException if the drain could not be added; then nothing of it was
   */
  Outcome apply(String server, long drain, Map<String, Long> counts) throws SQLException {
    for (int attempt = 1; ; attempt++) {
      try {
        return applyOnce(server, drain, counts);
      } catch (SQLException e) {
        if (attempt == ATTEMPTS || !TRANSIENT.contains(e.getSQLState())) {
          throw e;
        }
      }
    }
  }

  private Outcome applyOnce(String server, long drain, Map<String, Long> counts)
      throws SQLException {
    if (isApplied(server, drain)) {
      return Outcome.ALREADY_APPLIED;
    }
    try {
      // The key row first: a racing job for the same drain waits here and then fails on it.
      try (PreparedStatement insert = connection.prepareStatement("INSERT INTO "
          + tables.applied() + " (server, drain, songs, plays, applied_at)"
          + " VALUES (?, ?, ?, ?, ?)")) {
        insert.setString(1, server);
        insert.setLong(2, drain);
        insert.setLong(3, counts.size());
        insert.setLong(4, plays(counts).min(LONG_MAX).longValueExact());
        insert.setString(5, Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
        insert.executeUpdate();
      }
      plays.add(server, drain, counts);
      connection.commit();
      return Outcome.APPLIED;
    } catch (SQLException e) {
      rollback(e);
      // A unique violation (or a lost commit) when the row is there now: applied, just not by us.
      boolean applied;
      try {
        applied = isApplied(server, drain);
      } catch (SQLException check) {
        e.addSuppressed(check);
        throw e;
      }
      if (applied) {
        return Outcome.ALREADY_APPLIED;
      }
      throw e;
    }
  }

  /**
   * The songs of (server, drain) whose plays are in the overflow table, not in the plays table,
   * because their total would have passed {@link Long#MAX_VALUE}; empty for none.
   */
  Map<String, Long> overflowed(String server, long drain) throws SQLException {
    Map<String, Long> overflowed = new TreeMap<>();
    try (PreparedStatement select = connection.prepareStatement("SELECT song, plays FROM "
        + tables.overflowed() + " WHERE server = ? AND drain = ?")) {
      select.setString(1, server);
      select.setLong(2, drain);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          overflowed.put(rows.getString(1), rows.getLong(2));
        }
      }
    } finally {
      connection.rollback();
    }
    return overflowed;
  }

  /** Whether (server, drain) has its row in the applied-drains table; a transaction of its own. */
  boolean isApplied(String server, long drain) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement(
        "SELECT 1 FROM " + tables.applied() + " WHERE server = ? AND drain = ?")) {
      select.setString(1, server);
      select.setLong(2, drain);
      try (ResultSet row = select.executeQuery()) {
        return row.next();
      }
    } finally {
      connection.rollback();
    }
  }

  private void rollback(SQLException failure) {
    try {
      connection.rollback();
    } catch (SQLException e) {
      failure.addSuppressed(e);
    }
  }

  /** The plays of a drain, summed exactly: many large counts can pass a long. */
  static BigInteger plays(Map<String, Long> counts) {
    BigInteger plays = BigInteger.ZERO;
    for (long count : counts.values()) {
      plays = plays.add(BigInteger.valueOf(count));
    }
    return plays;
  }

  /** Closes the connection; a transaction still open is rolled back by the database. */
  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
