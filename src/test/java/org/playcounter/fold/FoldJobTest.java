package org.playcounter.fold;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.BatchUpdateException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.playcounter.http.FreePort;
import org.playcounter.http.StallingServer;

/**
 * {@link FoldJob} against a stand-in for the servers' {@code /drains} resource and SQLite: the
 * order it folds in, its exit status and messages, and that a drain stored but never
 * acknowledged is counted once when the job runs again, also after a real halt of its JVM.
 */
class FoldJobTest {
  private static final String TOKEN = "test-token";

  @TempDir
  Path dir;

  private DrainsServer server;
  private String db;

  @BeforeEach
  void start() throws IOException {
    server = new DrainsServer(TOKEN);
    db = "jdbc:sqlite:" + dir.resolve("plays.db");
  }

  @AfterEach
  void stop() {
    server.stop();
  }

  @Test
  void foldsThePendingDrainsOldestFirstThenANewOne() throws Exception {
    server.pending.put(5L, Map.of("a", 1L));
    server.pending.put(6L, Map.of("b", 2L));
    server.live.putAll(Map.of("a", 3L, "c", 1L));
    Result result = fold(server.uri());
    assertEquals(FoldJob.OK, result.exit, result.toString());
    List<String> drains = result.out.lines().filter(line -> line.contains(" drain "))
        .collect(Collectors.toList());
    assertEquals(3, drains.size(), result.toString());
    assertTrue(drains.get(0).startsWith(server.uri() + " drain 5: 1 songs, 1 plays, folded in "),
        drains.get(0));
    assertTrue(drains.get(1).startsWith(server.uri() + " drain 6: "), drains.get(1));
    assertTrue(drains.get(2).startsWith(server.uri() + " drain 7: 2 songs, 4 plays, "),
        drains.get(2));
    assertEquals(Map.of("a", 4L, "b", 2L, "c", 1L), totals());
    assertEquals(Map.of(), server.pending);
    assertTrue(result.out.contains(server.uri() + ": 3 drains, 3 folded now (4 songs, 7 plays),"
        + " 0 already applied, in "), result.toString());
    String last = result.out.lines().reduce((a, b) -> b).orElse("");
    assertTrue(last.matches("fold summary: status=ok servers=1 failed=0 drains=3 folded=3"
        + " already_applied=0 songs=4 plays=7 ms=\\d+"), last);
  }

  @Test
  void aDrainStoredButNotAcknowledgedIsOnlyAcknowledgedNextRun() throws Exception {
    server.live.putAll(Map.of("a", 3L, "b", 1L));
    server.failedDeletes = 1;
    Result failed = fold(server.uri());
    assertEquals(FoldJob.FAILED, failed.exit, failed.toString());
    assertTrue(failed.err.contains("could not drain " + server.uri() + ": HTTP 500"),
        failed.toString());
    assertTrue(failed.out.contains("\nfold summary: status=failed servers=1 failed=1 drains=1"
        + " folded=1 already_applied=0 songs=2 plays=4 ms="), failed.toString());
    assertEquals(1, server.pending.size());
    assertEquals(Map.of("a", 3L, "b", 1L), totals());

    Result rerun = fold(server.uri());
    assertEquals(FoldJob.OK, rerun.exit, rerun.toString());
    assertTrue(rerun.out.contains("2 songs, 4 plays, already applied, acknowledged"),
        rerun.toString());
    assertEquals(Map.of("a", 3L, "b", 1L), totals());
    assertEquals(Map.of(), server.pending);
  }

  @Test
  void aJobHaltedAfterItsCommitCountsTheDrainOnceWhenRunAgain() throws Exception {
    server.live.putAll(Map.of("a", 3L));
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-D" + Options.HALT_AFTER + "=commit",
        "-cp", System.getProperty("java.class.path"), FoldJob.class.getName(),
        "--servers=" + server.uri(), "--db=" + db, "--admin-token=" + TOKEN));
    Process halted = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve("halted.log").toFile()).start();
    assertTrue(halted.waitFor(60, TimeUnit.SECONDS), "the job did not halt within 60 s");
    assertEquals(FoldJob.HALTED, halted.exitValue());
    assertEquals(1, server.pending.size());
    assertEquals(Map.of("a", 3L), totals());

    Result rerun = fold(server.uri());
    assertEquals(FoldJob.OK, rerun.exit, rerun.toString());
    assertEquals(Map.of("a", 3L), totals());
    assertEquals(Map.of(), server.pending);
  }

  @Test
  void aServerWithTooManyPendingDrainsIsFoldedWithoutANewOne() throws Exception {
    server.pending.put(1L, Map.of("a", 1L));
    server.maxPending = 0;
    Result result = fold(server.uri());
    assertEquals(FoldJob.OK, result.exit, result.toString());
    assertTrue(result.out.contains("none made this time"), result.toString());
    assertEquals(Map.of("a", 1L), totals());
  }

  @Test
  void anUpperCaseSchemeAndReservedWordsAsNamesAreFolded() throws Exception {
    server.live.put("a", 2L);
    Result result = run("--servers=" + server.uri().replace("http:", "HTTP:"), "--db=" + db,
        "--admin-token=" + TOKEN, "--table=order", "--song-column=select");
    assertEquals(FoldJob.OK, result.exit, result.toString());
    assertEquals(Map.of("a", 2L), TestDatabases.plays(db,
        new Tables("order", "select", "plays", "applied_drains")));
  }

  @Test
  void anUnreachableServerIsNamedAndTheOthersAreStillFolded() throws Exception {
    String dead = "http://127.0.0.1:" + FreePort.next();
    server.live.put("a", 2L);
    Result result = fold(dead + "," + server.uri());
    assertEquals(FoldJob.FAILED, result.exit, result.toString());
    assertTrue(result.err.contains("could not drain " + dead + ": "), result.toString());
    assertEquals(Map.of("a", 2L), totals());
  }

  @Test
  void aWrongAdminTokenFailsTheServer() throws Exception {
    Result result = run("--servers=" + server.uri(), "--db=" + db, "--admin-token=wrong");
    assertEquals(FoldJob.FAILED, result.exit, result.toString());
    assertTrue(result.err.contains("HTTP 401"), result.toString());
  }

  @Test
  void badOptionsExitTwoWithTheUsage() throws Exception {
    Result result = run("--no-such-option=1");
    assertEquals(FoldJob.USAGE, result.exit);
    assertTrue(result.err.startsWith("fold: unknown option: --no-such-option=1\nusage: "),
        result.err);
    assertEquals(FoldJob.USAGE, run("--table=songs;drop").exit);
    assertEquals(FoldJob.USAGE, run("--timeout=0").exit);
    assertEquals(FoldJob.OK, run("--help").exit);
  }

  @Test
  void aDatabaseThatCannotBeOpenedExitsOneWithTheReason() throws Exception {
    Result result = run("--servers=" + server.uri(), "--db=jdbc:nosuchdb:x");
    assertEquals(FoldJob.FAILED, result.exit);
    assertTrue(result.err.startsWith("fold: cannot open the database jdbc:nosuchdb:x: "),
        result.err);
  }

  @Test
  void aServerThatStallsMidBodyIsNamedAndTheHealthyOneIsFolded() throws Exception {
    server.live.put("a", 2L);
    try (StallingServer stalled = new StallingServer()) {
      Result result = bounded(() -> run("--servers=" + stalled.uri() + "," + server.uri(),
          "--db=" + db, "--admin-token=" + TOKEN, "--timeout=1"));
      assertEquals(FoldJob.FAILED, result.exit, result.toString());
      assertTrue(result.err.contains("could not drain " + stalled.uri() + ": AttemptTimeoutException:"
          + " no complete answer within 1000 ms, its body included"), result.toString());
      assertEquals(Map.of("a", 2L), totals());
    }
  }

  @Test
  void aNewDrainStillBeingProcessedIsWaitedForNotTakenForAFullServer() throws Exception {
    server.live.put("a", 2L);
    server.inProgress = 1;
    Result result = bounded(() -> fold(server.uri()));
    assertEquals(FoldJob.OK, result.exit, result.toString());
    assertFalse(result.out.contains("holds as many pending drains"), result.toString());
    assertEquals(Map.of("a", 2L), totals());
  }

  @Test
  void aDrainWhosePlaysPassALongIsFoldedAndCountedExactly() throws Exception {
    for (int i = 0; i < 1_100; i++) {
      server.live.put("s" + i, 1L << 53);
    }
    Result result = fold(server.uri());
    assertEquals(FoldJob.OK, result.exit, result.toString());
    assertTrue(result.out.contains(": 1100 songs, 9907919180215091200 plays, folded in "),
        result.toString());
    assertEquals(1_100, totals().size());
    assertEquals(Set.of(1L << 53), Set.copyOf(totals().values()));
  }

  @Test
  void aSongWhoseTotalWouldPassALongIsSetAsideAndTheServerKeepsFolding() throws Exception {
    server.pending.put(5L, Map.of("big", Long.MAX_VALUE - 1));
    server.pending.put(6L, Map.of("big", 5L, "a", 1L));
    server.live.putAll(Map.of("a", 2L, "b", 1L));
    Result result = fold(server.uri());
    assertEquals(FoldJob.OK, result.exit, result.toString());
    String line = server.uri() + " drain 6: 1 songs' totals would pass 9223372036854775807, so"
        + " their plays are in the overflow table, not in the plays table: big";
    assertTrue(result.out.contains(line + "\n"), result.toString());
    assertTrue(result.err.contains("fold: " + line + "\n"), result.toString());
    assertEquals(Map.of("big", Long.MAX_VALUE - 1, "a", 3L, "b", 1L), totals());
    assertEquals(Map.of(), server.pending);
  }

  @Test
  void aLongDatabaseFailureIsReducedToOneShortLine() {
    String statement = "INSERT INTO songs (song, plays) VALUES " + "(('s1'), ('2'::int8)),"
        .repeat(1_500);
    BatchUpdateException batch = new BatchUpdateException("Batch entry 0 " + statement
        + " was aborted: ERROR: deadlock detected\n  Detail: Process 1 waits for ShareLock."
        + "  Call getNextException to see other errors in the batch.", "40P01", new int[0]);
    batch.setNextException(new SQLException("ERROR: deadlock detected\n  Detail: Process 1"
        + " waits for ShareLock on transaction 7; blocked by process 2.", "40P01"));
    assertEquals("ERROR: deadlock detected (SQLState 40P01)", FoldJob.reason(batch));
    String reason = FoldJob.reason(new SQLException(statement + " failed", "22003"));
    assertTrue(reason.startsWith("INSERT INTO songs (song, plays) VALUES (('s1'), ('2'::int8)),"),
        reason);
    assertTrue(reason.endsWith("... (SQLState 22003)") && reason.length() < 330, reason);
  }

  /** Runs {@code job}, failing the test if it has not ended in 120 s: it must never hang. */
  private static Result bounded(Callable<Result> job) throws Exception {
    FutureTask<Result> task = new FutureTask<>(job);
    Thread thread = new Thread(task, "fold-job");
    thread.setDaemon(true);
    thread.start();
    try {
      return task.get(120, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      return fail("the fold job hung for 120 s");
    }
  }

  private Result fold(String servers) {
    return run("--servers=" + servers, "--db=" + db, "--admin-token=" + TOKEN);
  }

  private static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = FoldJob.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(exit, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }

  private Map<String, Long> totals() throws SQLException {
    Map<String, Long> totals = new HashMap<>();
    try (Connection connection = DriverManager.getConnection(db);
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT song, plays FROM songs")) {
      while (rows.next()) {
        totals.put(rows.getString(1), rows.getLong(2));
      }
    }
    return totals;
  }

  private record Result(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exit + "\n--- out\n" + out + "--- err\n" + err;
    }
  }
}
