package org.playcounter.fold;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.playcounter.fold.TestDatabases.Kind;

/**
 * {@link Database} against SQLite, a real PostgreSQL and a real MariaDB ({@link TestDatabases}):
 * each drain is added once, whatever is applied twice or raced.
 */
class DatabaseTest {
  private static final String SERVER = "http://127.0.0.1:8080";

  @RegisterExtension
  static final TestDatabases databases = new TestDatabases();

  @TempDir
  Path dir;

  @ParameterizedTest
  @EnumSource(Kind.class)
  void createsBothTablesWhenMissingAndKeepsThemWhenThere(Kind kind) throws Exception {
    String url = url(kind);
    try (Database database = open(url, Tables.DEFAULT)) {
      database.apply(SERVER, 1, Map.of("a", 2L));
    }
    try (Database again = open(url, Tables.DEFAULT)) {
      assertEquals(Map.of("a", 2L), plays(url, Tables.DEFAULT));
      assertEquals(List.of(SERVER + " 1 1 2"), applied(url, Tables.DEFAULT));
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void detectsTheUpsertOfEachDatabase(Kind kind) throws Exception {
    try (Database database = open(url(kind), Tables.DEFAULT)) {
      assertEquals(kind == Kind.MARIADB ? Database.Upsert.UPDATE_THEN_INSERT
          : Database.Upsert.ON_CONFLICT, database.upsert());
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void applyingDrainsAddsTheirPlays(Kind kind) throws Exception {
    String url = url(kind);
    try (Database database = open(url, Tables.DEFAULT)) {
      assertEquals(Database.Outcome.APPLIED,
          database.apply(SERVER, 7, Map.of("a", 3L, "b", 2L)));
      assertEquals(Database.Outcome.APPLIED,
          database.apply(SERVER, 8, Map.of("a", 1L, "c", 5L)));
      assertEquals(Map.of("a", 4L, "b", 2L, "c", 5L), plays(url, Tables.DEFAULT));
      assertEquals(List.of(SERVER + " 7 2 5", SERVER + " 8 2 6"), applied(url, Tables.DEFAULT));
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void applyingTheSameDrainAgainAddsNothing(Kind kind) throws Exception {
    String url = url(kind);
    try (Database database = open(url, Tables.DEFAULT)) {
      database.apply(SERVER, 7, Map.of("a", 3L));
      assertEquals(Database.Outcome.ALREADY_APPLIED, database.apply(SERVER, 7, Map.of("a", 3L)));
    }
    try (Database rerun = open(url, Tables.DEFAULT)) {
      assertEquals(Database.Outcome.ALREADY_APPLIED, rerun.apply(SERVER, 7, Map.of("a", 3L)));
      assertEquals(Map.of("a", 3L), plays(url, Tables.DEFAULT));
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void theSameDrainNumberOnTwoServersIsTwoDrains(Kind kind) throws Exception {
    String url = url(kind);
    try (Database database = open(url, Tables.DEFAULT)) {
      assertEquals(Database.Outcome.APPLIED, database.apply(SERVER, 7, Map.of("a", 3L)));
      assertEquals(Database.Outcome.APPLIED,
          database.apply("http://127.0.0.1:8081", 7, Map.of("a", 3L)));
      assertEquals(Map.of("a", 6L), plays(url, Tables.DEFAULT));
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void customTableAndColumnNamesAreUsed(Kind kind) throws Exception {
    String url = url(kind);
    Tables custom = new Tables("play_totals", "song_id", "play_count", "folded_drains");
    try (Database database = open(url, custom)) {
      database.apply(SERVER, 1, Map.of("a", 3L));
      database.apply(SERVER, 2, Map.of("a", 1L, "b", 1L));
      assertEquals(Database.Outcome.ALREADY_APPLIED, database.apply(SERVER, 2, Map.of("b", 1L)));
    }
    assertEquals(Map.of("a", 4L, "b", 1L), plays(url, custom));
    assertEquals(2, applied(url, custom).size());
  }

  @Test
  void identifiersThatAreNotPlainAreRefused() {
    for (String bad : new String[] {"songs;drop table x", "a b", "1songs", "", "songs--",
        "\"songs\"", "s".repeat(64), "so.ngs", null}) {
      assertThrows(IllegalArgumentException.class,
          () -> new Tables(bad, "song", "plays", "applied"), String.valueOf(bad));
      assertThrows(IllegalArgumentException.class,
          () -> new Tables("songs", bad, "plays", "applied"), String.valueOf(bad));
      assertThrows(IllegalArgumentException.class,
          () -> new Tables("songs", "song", bad, "applied"), String.valueOf(bad));
      assertThrows(IllegalArgumentException.class,
          () -> new Tables("songs", "song", "plays", bad), String.valueOf(bad));
    }
    assertThrows(IllegalArgumentException.class,
        () -> new Tables("songs", "song", "plays", "SONGS"));
    assertThrows(IllegalArgumentException.class,
        () -> new Tables("songs", "song", "song", "applied"));
    new Tables("_Songs_2", "s", "p", "s".repeat(63)); // the longest and oddest allowed
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void reservedWordsAreNamesLikeAnyOther(Kind kind) throws Exception {
    String url = url(kind);
    Tables reserved = new Tables("order", "select", "group", "table", "from");
    try (Database database = open(url, reserved)) {
      database.apply(SERVER, 1, Map.of("a", 3L));
      database.apply(SERVER, 2, Map.of("a", 1L, "b", 1L));
    }
    assertEquals(Map.of("a", 4L, "b", 1L), plays(url, reserved));
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void updateThenInsertGivesTheSameTotalsAsTheUpsert(Kind kind) throws Exception {
    String upserted = url(kind);
    String generic = url(kind, "generic");
    List<Map<String, Long>> drains = List.of(Map.of("a", 3L, "b", 2L), Map.of("a", 1L, "c", 5L),
        Map.of("b", 7L, "c", 1L, "d", 1L));
    try (Database one = open(upserted, Tables.DEFAULT);
        Database other = Database.open(generic, TestDatabases.user(generic), null, Tables.DEFAULT,
            Database.Upsert.UPDATE_THEN_INSERT)) {
      for (int i = 0; i < drains.size(); i++) {
        one.apply(SERVER, i, drains.get(i));
        assertEquals(Database.Outcome.APPLIED, other.apply(SERVER, i, drains.get(i)));
        assertEquals(Database.Outcome.ALREADY_APPLIED, other.apply(SERVER, i, drains.get(i)));
      }
    }
    assertEquals(Map.of("a", 4L, "b", 9L, "c", 6L, "d", 1L), plays(upserted, Tables.DEFAULT));
    assertEquals(plays(upserted, Tables.DEFAULT), plays(generic, Tables.DEFAULT));
  }

  static Stream<Arguments> everyDatabaseAndUpsert() {
    List<Arguments> all = new ArrayList<>();
    for (Kind kind : Kind.values()) {
      for (Database.Upsert upsert : Database.Upsert.values()) {
        if (kind != Kind.MARIADB || upsert != Database.Upsert.ON_CONFLICT) { // no ON CONFLICT
          all.add(Arguments.of(kind, upsert));
        }
      }
    }
    return all.stream();
  }

  @ParameterizedTest
  @MethodSource("everyDatabaseAndUpsert")
  void tenThousandSongsInOneDrainFoldExactly(Kind kind, Database.Upsert upsert)
      throws Exception {
    String url = url(kind);
    Map<String, Long> drain = new LinkedHashMap<>();
    for (int i = 0; i < 10_000; i++) {
      drain.put("song-" + i, 1L + i % 7);
    }
    Map<String, Long> half = new LinkedHashMap<>(); // every other song again, and new ones
    for (int i = 5_000; i < 15_000; i += 2) {
      half.put("song-" + i, 10L);
    }
    try (Database database = Database.open(url, TestDatabases.user(url), null, Tables.DEFAULT,
        upsert)) {
      assertEquals(Database.Outcome.APPLIED, database.apply(SERVER, 1, drain));
      assertEquals(Database.Outcome.APPLIED, database.apply(SERVER, 2, half));
    }
    Map<String, Long> expected = new HashMap<>(drain);
    half.forEach((song, count) -> expected.merge(song, count, Long::sum));
    assertEquals(expected, plays(url, Tables.DEFAULT));
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void twoJobsRacingForTheSameDrainAddItOnce(Kind kind) throws Exception {
    String url = url(kind);
    Map<String, Long> drain = new HashMap<>();
    for (int i = 0; i < 3_000; i++) {
      drain.put("s" + i, 2L);
    }
    try (Database setup = open(url, Tables.DEFAULT)) {
      // both tables exist before the race: it is about the drain, not about CREATE TABLE
    }
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try (Database one = open(url, Tables.DEFAULT); Database two = open(url, Tables.DEFAULT)) {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Database.Outcome>> outcomes = new ArrayList<>();
      for (Database database : List.of(one, two)) {
        outcomes.add(threads.submit(() -> {
          start.await();
          return database.apply(SERVER, 42, drain);
        }));
      }
      start.countDown();
      List<Database.Outcome> results = new ArrayList<>();
      for (Future<Database.Outcome> outcome : outcomes) {
        results.add(outcome.get(30, TimeUnit.SECONDS));
      }
      assertEquals(1, results.stream().filter(Database.Outcome.APPLIED::equals).count(),
          results.toString());
    } finally {
      threads.shutdownNow();
    }
    assertEquals(drain, plays(url, Tables.DEFAULT));
  }

  /** A new, empty database of {@code kind}. */
  private String url(Kind kind) throws SQLException {
    return url(kind, "plays");
  }

  private String url(Kind kind, String name) throws SQLException {
    return databases.url(kind, dir, name);
  }

  private static Database open(String url, Tables tables) throws SQLException {
    return TestDatabases.open(url, tables);
  }

  private static Map<String, Long> plays(String url, Tables tables) throws SQLException {
    return TestDatabases.plays(url, tables);
  }

  /** The applied-drains rows as {@code server drain songs plays}, by drain. */
  private static List<String> applied(String url, Tables tables) throws SQLException {
    List<String> applied = new ArrayList<>();
    try (Connection connection = TestDatabases.connect(url);
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT server, drain, songs, plays, applied_at"
            + " FROM " + tables.applied() + " ORDER BY server, drain")) {
      while (rows.next()) {
        assertEquals(true, rows.getString(5).endsWith("Z"), rows.getString(5));
        applied.add(rows.getString(1) + " " + rows.getLong(2) + " " + rows.getLong(3) + " "
            + rows.getLong(4));
      }
    }
    return applied;
  }
}
