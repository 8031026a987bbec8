package org.playcounter.fold;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.playcounter.http.FreePort;

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
    server = new DrainsServer();
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
  }

  @Test
  void aDrainStoredButNotAcknowledgedIsOnlyAcknowledgedNextRun() throws Exception {
    server.live.putAll(Map.of("a", 3L, "b", 1L));
    server.failedDeletes = 1;
    Result failed = fold(server.uri());
    assertEquals(FoldJob.FAILED, failed.exit, failed.toString());
    assertTrue(failed.err.contains("could not drain " + server.uri() + ": HTTP 500"),
        failed.toString());
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
    assertEquals(FoldJob.OK, run("--help").exit);
  }

  @Test
  void aDatabaseThatCannotBeOpenedExitsOneWithTheReason() throws Exception {
    Result result = run("--servers=" + server.uri(), "--db=jdbc:nosuchdb:x");
    assertEquals(FoldJob.FAILED, result.exit);
    assertTrue(result.err.startsWith("fold: cannot open the database jdbc:nosuchdb:x: "),
        result.err);
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

  /**
   * A stand-in for one server's acknowledged drains ({@code GET/POST /drains},
   * {@code GET/DELETE /drains/{n}}) as the client expects them, guarded by {@link #TOKEN}.
   */
  private static final class DrainsServer {
    final Map<String, Long> live = new ConcurrentHashMap<>();
    final Map<Long, Map<String, Long>> pending = new ConcurrentSkipListMap<>();
    /** How many of the next DELETEs answer 500, as a server that fails would. */
    volatile int failedDeletes;
    volatile int maxPending = 8;
    private long next = 7;
    private final HttpServer http;

    DrainsServer() throws IOException {
      http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      http.createContext("/drains", exchange -> {
        try (exchange) {
          synchronized (this) {
            answer(exchange);
          }
        }
      });
      http.start();
    }

    String uri() {
      return "http://127.0.0.1:" + http.getAddress().getPort();
    }

    void stop() {
      http.stop(0);
    }

    private void answer(HttpExchange exchange) throws IOException {
      if (!("Bearer " + TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
        send(exchange, 401, "admin token required");
        return;
      }
      String path = exchange.getRequestURI().getPath();
      String method = exchange.getRequestMethod();
      if (path.equals("/drains")) {
        if (method.equals("GET")) {
          send(exchange, 200, pending.keySet().stream().map(String::valueOf)
              .collect(Collectors.joining(",")));
        } else if (pending.size() >= maxPending) {
          send(exchange, 409, "too many pending drains");
        } else {
          long number = next++;
          pending.put(number, Map.copyOf(live));
          live.clear();
          exchange.getResponseHeaders().set("Location", "/drains/" + number);
          send(exchange, 201, text(pending.get(number)));
        }
        return;
      }
      long number = Long.parseLong(path.substring("/drains/".length()));
      if (!pending.containsKey(number)) {
        send(exchange, 404, "no pending drain " + number);
      } else if (method.equals("GET")) {
        send(exchange, 200, text(pending.get(number)));
      } else if (failedDeletes > 0) {
        failedDeletes--;
        send(exchange, 500, "injected failure");
      } else {
        pending.remove(number);
        send(exchange, 200, "OK");
      }
    }

    private static String text(Map<String, Long> counts) {
      return counts.entrySet().stream().map(count -> count.getKey() + "=" + count.getValue())
          .collect(Collectors.joining(","));
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain;charset=UTF-8");
      exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
      exchange.getResponseBody().write(bytes);
    }
  }
}
