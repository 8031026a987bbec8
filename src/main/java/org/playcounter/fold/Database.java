package org.playcounter.fold;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The relational database the fold job adds drained counts to, each drain exactly once: a drain
 * is added in one transaction together with its row in the applied-drains table, whose primary
 * key (server, drain) refuses a second row. So a job that died after its commit but before
 * acknowledging the drain finds the row on its next run and adds nothing, and of two jobs racing
 * for the same drain the second fails on the key, rolls back and sees the first one's row.
 *
 * <p>Counts are added in batches of {@value #BATCH} rows: with one {@code INSERT ... ON CONFLICT
 * DO UPDATE} on SQLite and PostgreSQL, and on any other database with an {@code UPDATE} of every
 * song followed by an {@code INSERT} of the songs the update did not find. Not thread-safe: one
 * connection, used by one job.
 */
final class Database implements AutoCloseable {
  /** Rows sent to the database per {@code executeBatch}. */
  static final int BATCH = 1_000;

  /** How counts are added to the plays table. */
  enum Upsert {
    /** {@code INSERT ... ON CONFLICT (song) DO UPDATE}: SQLite and PostgreSQL. */
    ON_CONFLICT,
    /** {@code UPDATE}, then {@code INSERT} of the songs it missed: any SQL database. */
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
  private final Tables tables;
  private final Upsert upsert;

  private Database(Connection connection, Tables tables, Upsert upsert) {
    this.connection = connection;
    this.tables = tables;
    this.upsert = upsert;
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
      Database database = new Database(connection, tables,
          upsert != null ? upsert : detect(connection.getMetaData().getDatabaseProductName()));
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

  private static Upsert detect(String product) {
    return product.equalsIgnoreCase("SQLite") || product.equalsIgnoreCase("PostgreSQL")
        ? Upsert.ON_CONFLICT : Upsert.UPDATE_THEN_INSERT;
  }

  /** How this database adds counts. */
  Upsert upsert() {
    return upsert;
  }

  private void createTables() throws SQLException {
    connection.setAutoCommit(true);
    try (Statement statement = connection.createStatement()) {
      statement.executeUpdate("CREATE TABLE IF NOT EXISTS " + tables.plays() + " ("
          + tables.song() + " VARCHAR(128) NOT NULL PRIMARY KEY, "
          + tables.count() + " BIGINT NOT NULL)");
      statement.executeUpdate("CREATE TABLE IF NOT EXISTS " + tables.applied() + " ("
          + "server VARCHAR(1000) NOT NULL, drain BIGINT NOT NULL, songs BIGINT NOT NULL, "
          + "plays BIGINT NOT NULL, applied_at VARCHAR(40) NOT NULL, "
          + "PRIMARY KEY (server, drain))");
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
        insert.setLong(4, sum(counts));
        insert.setString(5, Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
        insert.executeUpdate();
      }
      if (upsert == Upsert.ON_CONFLICT) {
        addByUpsert(counts);
      } else {
        addByUpdateThenInsert(counts);
      }
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

  private void addByUpsert(Map<String, Long> counts) throws SQLException {
    String sql = "INSERT INTO " + tables.plays() + " (" + tables.song() + ", " + tables.count()
        + ") VALUES (?, ?) ON CONFLICT (" + tables.song() + ") DO UPDATE SET " + tables.count()
        + " = " + tables.plays() + "." + tables.count() + " + excluded." + tables.count();
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      int pending = 0;
      for (Map.Entry<String, Long> count : counts.entrySet()) {
        statement.setString(1, count.getKey());
        statement.setLong(2, count.getValue());
        statement.addBatch();
        if (++pending == BATCH) {
          statement.executeBatch();
          pending = 0;
        }
      }
      if (pending > 0) {
        statement.executeBatch();
      }
    }
  }

  private void addByUpdateThenInsert(Map<String, Long> counts) throws SQLException {
    String updateSql = "UPDATE " + tables.plays() + " SET " + tables.count() + " = "
        + tables.count() + " + ? WHERE " + tables.song() + " = ?";
    String insertSql = "INSERT INTO " + tables.plays() + " (" + tables.song() + ", "
        + tables.count() + ") VALUES (?, ?)";
    try (PreparedStatement update = connection.prepareStatement(updateSql);
        PreparedStatement insert = connection.prepareStatement(insertSql)) {
      List<Map.Entry<String, Long>> chunk = new ArrayList<>(BATCH);
      for (Map.Entry<String, Long> count : counts.entrySet()) {
        chunk.add(count);
        if (chunk.size() == BATCH) {
          updateThenInsert(chunk, update, insert);
          chunk.clear();
        }
      }
      if (!chunk.isEmpty()) {
        updateThenInsert(chunk, update, insert);
      }
    }
  }

  private static void updateThenInsert(List<Map.Entry<String, Long>> chunk,
      PreparedStatement update, PreparedStatement insert) throws SQLException {
    for (Map.Entry<String, Long> count : chunk) {
      update.setLong(1, count.getValue());
      update.setString(2, count.getKey());
      update.addBatch();
    }
    int[] updated = update.executeBatch();
    boolean missed = false;
    for (int i = 0; i < updated.length; i++) {
      if (updated[i] == Statement.SUCCESS_NO_INFO) {
        throw new SQLException("the JDBC driver does not say which rows a batched UPDATE"
            + " changed, so the songs to INSERT are unknown");
      }
      if (updated[i] == 0) {
        insert.setString(1, chunk.get(i).getKey());
        insert.setLong(2, chunk.get(i).getValue());
        insert.addBatch();
        missed = true;
      }
    }
    if (missed) {
      insert.executeBatch();
    }
  }

  private void rollback(SQLException failure) {
    try {
      connection.rollback();
    } catch (SQLException e) {
      failure.addSuppressed(e);
    }
  }

  private static long sum(Map<String, Long> counts) {
    long plays = 0;
    for (long count : counts.values()) {
      plays = Math.addExact(plays, count);
    }
    return plays;
  }

  /** Closes the connection; a transaction still open is rolled back by the database. */
  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
