package org.playcounter.fold;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.playcounter.fold.TestDatabases.Kind;

/**
 * {@link PlaysTable} through {@link Database#apply}, on every database: sums past a long, totals
 * past a long, two jobs at once, and song ids that differ only in case.
 */
class PlaysTableTest {
  private static final String SERVER = "http://127.0.0.1:8080";
  private static final long MAX = Long.MAX_VALUE;

  @RegisterExtension
  static final TestDatabases databases = new TestDatabases();

  @TempDir
  Path dir;

  @ParameterizedTest
  @EnumSource(Kind.class)
  void aDrainWhosePlaysSumPastALongIsFolded(Kind kind) throws Exception {
    String url = databases.url(kind, dir, "plays");
    Map<String, Long> drain = new HashMap<>();
    for (int i = 0; i < 1_100; i++) {
      drain.put("s" + i, 1L << 53); // 1,100 x 2^53 is about 1.07 x 2^63
    }
    try (Database database = TestDatabases.open(url, Tables.DEFAULT)) {
      assertEquals(Database.Outcome.APPLIED, database.apply(SERVER, 1, drain));
      assertEquals(Map.of(), database.overflowed(SERVER, 1));
    }
    assertEquals(drain, TestDatabases.plays(url, Tables.DEFAULT));
    assertEquals(MAX, appliedPlays(url), "the applied row's plays, saturated");
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void aSongWhoseTotalWouldPassALongGoesToTheOverflowTableAndTheRestIsFolded(Kind kind)
      throws Exception {
    String url = databases.url(kind, dir, "plays");
    try (Database database = TestDatabases.open(url, Tables.DEFAULT)) {
      database.apply(SERVER, 1, Map.of("big", MAX - 10, "a", 1L));
      assertEquals(Database.Outcome.APPLIED,
          database.apply(SERVER, 2, Map.of("big", 11L, "a", 2L, "b", 3L)));
      assertEquals(Map.of("big", 11L), database.overflowed(SERVER, 2));
      assertEquals(Map.of("big", MAX - 10, "a", 3L, "b", 3L),
          TestDatabases.plays(url, Tables.DEFAULT));

      assertEquals(Database.Outcome.APPLIED, database.apply(SERVER, 3, Map.of("big", 10L)));
      assertEquals(Map.of(), database.overflowed(SERVER, 3), "exactly 2^63-1 still fits");
      assertEquals(Database.Outcome.ALREADY_APPLIED,
          database.apply(SERVER, 2, Map.of("big", 11L, "a", 2L, "b", 3L)));
    }
    assertEquals(Map.of("big", MAX, "a", 3L, "b", 3L), TestDatabases.plays(url, Tables.DEFAULT));
  }

  /** A total below zero (a hand correction in an existing table) is no overflow. */
  @ParameterizedTest
  @EnumSource(Kind.class)
  void aNegativeTotalIsAddedToNotSetAside(Kind kind) throws Exception {
    String url = databases.url(kind, dir, "plays");
    try (Database database = TestDatabases.open(url, Tables.DEFAULT)) {
      database.apply(SERVER, 1, Map.of("x", 1L));
    }
    try (Connection connection = TestDatabases.connect(url);
        Statement statement = connection.createStatement()) {
      statement.executeUpdate("UPDATE " + TestDatabases.quote(url, "songs") + " SET "
          + TestDatabases.quote(url, "plays") + " = -1 WHERE "
          + TestDatabases.quote(url, "song") + " = 'x'");
    }
    try (Database database = TestDatabases.open(url, Tables.DEFAULT)) {
      database.apply(SERVER, 2, Map.of("x", 1L));
      assertEquals(Map.of(), database.overflowed(SERVER, 2), "on the reviewed code: {x=1}");
    }
    assertEquals(Map.of("x", 0L), TestDatabases.plays(url, Tables.DEFAULT));
  }

  /**
   * Two jobs fold drains of the same 2,000 songs at once, one in ascending and one in descending
   * order (as two JVMs' {@code Map.copyOf} iterate), round after round: no deadlock reaches
   * either, and the totals are exact.
   */
  @ParameterizedTest
  @EnumSource(Kind.class)
  void twoJobsFoldingTheSameSongsInOppositeOrdersAtOnceBothSucceed(Kind kind) throws Exception {
    String url = databases.url(kind, dir, "plays");
    Map<String, Long> ascending = new LinkedHashMap<>();
    Map<String, Long> descending = new LinkedHashMap<>();
    for (int i = 0; i < 2_000; i++) {
      ascending.put(String.format("s%04d", i), 1L);
      descending.put(String.format("s%04d", 1_999 - i), 2L);
    }
    int rounds = 3;
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try (Database one = TestDatabases.open(url, Tables.DEFAULT);
        Database two = TestDatabases.open(url, Tables.DEFAULT)) {
      for (int round = 0; round < rounds; round++) {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Database.Outcome>> outcomes = new ArrayList<>();
        int drain = round;
        outcomes.add(threads.submit(() -> {
          start.await();
          return one.apply("http://a:1", drain, ascending);
        }));
        outcomes.add(threads.submit(() -> {
          start.await();
          return two.apply("http://b:1", drain, descending);
        }));
        start.countDown();
        for (Future<Database.Outcome> outcome : outcomes) {
          assertEquals(Database.Outcome.APPLIED, outcome.get(120, TimeUnit.SECONDS));
        }
      }
    } finally {
      threads.shutdownNow();
    }
    Map<String, Long> expected = new HashMap<>();
    ascending.keySet().forEach(song -> expected.put(song, 3L * rounds));
    assertEquals(expected, TestDatabases.plays(url, Tables.DEFAULT));
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void songsThatDifferOnlyInCaseAreTwoSongs(Kind kind) throws Exception {
    String url = databases.url(kind, dir, "plays");
    try (Database database = TestDatabases.open(url, Tables.DEFAULT)) {
      database.apply(SERVER, 1, Map.of("A", 1L, "a", 2L, "song-X", 3L));
      database.apply(SERVER, 2, Map.of("a", 10L, "song-x", 4L));
    }
    assertEquals(Map.of("A", 1L, "a", 12L, "song-X", 3L, "song-x", 4L),
        TestDatabases.plays(url, Tables.DEFAULT));
  }

  private static long appliedPlays(String url) throws SQLException {
    try (Connection connection = TestDatabases.connect(url);
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT plays FROM applied_drains")) {
      rows.next();
      return rows.getLong(1);
    }
  }
}
