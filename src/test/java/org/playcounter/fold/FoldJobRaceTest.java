package org.playcounter.fold;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
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
 * Two {@link FoldJob}s at once, each draining its own server, whose songs overlap, into one
 * database: both exit 0, round after round, and every total is exact.
 */
class FoldJobRaceTest {
  private static final String TOKEN = "race-token";

  @RegisterExtension
  static final TestDatabases databases = new TestDatabases();

  @TempDir
  Path dir;

  @ParameterizedTest
  @EnumSource(Kind.class)
  void twoJobsFoldingOverlappingSongsAtOnceBothSucceedWithExactTotals(Kind kind)
      throws Exception {
    String url = databases.url(kind, dir, "plays");
    DrainsServer one = new DrainsServer(TOKEN);
    DrainsServer two = new DrainsServer(TOKEN);
    ExecutorService threads = Executors.newFixedThreadPool(2);
    Map<String, Long> expected = new HashMap<>();
    try {
      for (int round = 0; round < 3; round++) {
        // Different sizes, so each drain's Map.copyOf iterates the shared songs in its own order.
        for (int i = 0; i < 3_000; i++) {
          one.live.put("s" + i, 1L);
          expected.merge("s" + i, 1L, Long::sum);
        }
        for (int i = 1_500; i < 6_500; i++) {
          two.live.put("s" + i, 2L);
          expected.merge("s" + i, 2L, Long::sum);
        }
        CountDownLatch start = new CountDownLatch(1);
        List<Future<String>> runs = new ArrayList<>();
        for (DrainsServer server : List.of(one, two)) {
          runs.add(threads.submit(() -> {
            start.await();
            return fold(server, url);
          }));
        }
        start.countDown();
        for (Future<String> run : runs) {
          String result = run.get(120, TimeUnit.SECONDS);
          assertEquals(true, result.startsWith("exit 0\n"), result);
        }
      }
    } finally {
      threads.shutdownNow();
      one.stop();
      two.stop();
    }
    assertEquals(expected, TestDatabases.plays(url, Tables.DEFAULT));
  }

  /** One run of the job against {@code server}: its exit status, then what it printed. */
  private static String fold(DrainsServer server, String url) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<String> args = new ArrayList<>(List.of("--servers=" + server.uri(), "--db=" + url,
        "--admin-token=" + TOKEN));
    String user = TestDatabases.user(url);
    if (user != null) {
      args.add("--db-user=" + user);
    }
    PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
    int exit = FoldJob.run(args.toArray(String[]::new), print, print);
    return "exit " + exit + "\n" + out.toString(StandardCharsets.UTF_8);
  }
}
