package org.playcounter.fold;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Adds one drain's counts to the plays table, inside the caller's transaction.
 *
 * <p>Implementation notes. The songs go in sorted by id, in batches of {@value #BATCH}: every job
 * then takes its row locks in one order, so two jobs folding the same songs at once wait for each
 * other instead of deadlocking (each upsert locks its row; two jobs that lock in different
 * orders are what PostgreSQL reports as {@code deadlock detected}). Each batch first reads the
 * totals its songs have: a song whose total would pass {@link Long#MAX_VALUE} is not added (SQLite
 * would turn the column into REAL, PostgreSQL would fail the drain, and so every later drain of
 * that server) but goes with its plays into the overflow table, and the rest of the drain is
 * folded. The read takes no locks: a racing job that pushes a total up between the read and the
 * write makes the database refuse the write (out of range), and {@link Database#apply} runs the
 * transaction again, reading the new total.
 */
final class PlaysTable {
  /** Rows sent to the database per {@code executeBatch}, and songs read per total query. */
  static final int BATCH = 1_000;

  private final Connection connection;
  private final Tables.Quoted names;
  private final Database.Upsert upsert;

  PlaysTable(Connection connection, Tables.Quoted names, Database.Upsert upsert) {
    this.connection = connection;
    this.names = names;
    this.upsert = upsert;
  }

  /**
   * Adds {@code counts} to the plays table, and those whose total would pass a long to the
   * overflow table under (server, drain).
   *
   * @return the songs put in the overflow table, with their plays; empty for none
   */
  Map<String, Long> add(String server, long drain, Map<String, Long> counts)
      throws SQLException {
    List<Map.Entry<String, Long>> sorted = new ArrayList<>(new TreeMap<>(counts).entrySet());
    Map<String, Long> overflowed = new TreeMap<>();
    String plays = names.plays();
    String song = names.song();
    String count = names.count();
    try (PreparedStatement add = connection.prepareStatement(upsert == Database.Upsert.ON_CONFLICT
            ? "INSERT INTO " + plays + " (" + song + ", " + count + ") VALUES (?, ?) ON CONFLICT ("
                + song + ") DO UPDATE SET " + count + " = " + plays + "." + count + " + excluded."
                + count
            : "UPDATE " + plays + " SET " + count + " = " + count + " + ? WHERE " + song + " = ?");
        PreparedStatement insert = connection.prepareStatement("INSERT INTO " + plays + " ("
            + song + ", " + count + ") VALUES (?, ?)")) {
      for (int from = 0; from < sorted.size(); from += BATCH) {
        List<Map.Entry<String, Long>> batch = sorted.subList(from,
            Math.min(from + BATCH, sorted.size()));
        Map<String, Long> totals = totals(batch);
        boolean inserts = false;
        for (Map.Entry<String, Long> entry : batch) {
          Long total = totals.get(entry.getKey());
          if (total != null && total > 0 && entry.getValue() > Long.MAX_VALUE - total) {
            overflowed.put(entry.getKey(), entry.getValue());
          } else if (upsert == Database.Upsert.ON_CONFLICT) {
            add.setString(1, entry.getKey());
            add.setLong(2, entry.getValue());
            add.addBatch();
          } else if (total != null) {
            add.setLong(1, entry.getValue());
            add.setString(2, entry.getKey());
            add.addBatch();
          } else {
            insert.setString(1, entry.getKey());
            insert.setLong(2, entry.getValue());
            insert.addBatch();
            inserts = true;
          }
        }
        add.executeBatch();
        if (inserts) {
          insert.executeBatch();
        }
      }
    }
    if (!overflowed.isEmpty()) {
      keepOverflowed(server, drain, overflowed);
    }
    return overflowed;
  }

  /** The totals the batch's songs have now; a song not in the table is not in the map. */
  private Map<String, Long> totals(List<Map.Entry<String, Long>> batch) throws SQLException {
    StringBuilder sql = new StringBuilder("SELECT ").append(names.song()).append(", ")
        .append(names.count()).append(" FROM ").append(names.plays()).append(" WHERE ")
        .append(names.song()).append(" IN (?");
    sql.append(", ?".repeat(batch.size() - 1)).append(')');
    Map<String, Long> totals = new HashMap<>();
    try (PreparedStatement select = connection.prepareStatement(sql.toString())) {
      for (int i = 0; i < batch.size(); i++) {
        select.setString(i + 1, batch.get(i).getKey());
      }
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          totals.put(rows.getString(1), rows.getLong(2));
        }
      }
    }
    return totals;
  }

  private void keepOverflowed(String server, long drain, Map<String, Long> overflowed)
      throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement("INSERT INTO "
        + names.overflowed() + " (server, drain, song, plays) VALUES (?, ?, ?, ?)")) {
      int pending = 0;
      for (Map.Entry<String, Long> entry : overflowed.entrySet()) {
        insert.setString(1, server);
        insert.setLong(2, drain);
        insert.setString(3, entry.getKey());
        insert.setLong(4, entry.getValue());
        insert.addBatch();
        if (++pending == BATCH) {
          insert.executeBatch();
          pending = 0;
        }
      }
      if (pending > 0) {
        insert.executeBatch();
      }
    }
  }
}
