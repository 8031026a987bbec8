package org.playcounter.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The replay's worker threads end with a refused start-up. */
final class RestoreThreadsTest {
  private static final String FIRST = "journal-000000000001";
  private static final int VERSION = "playcounter-journal 3\n".length();

  @TempDir
  Path dir;

  private String refusal() {
    try {
      Map<String, Long> counts = Stores.recover(dir);
      throw new AssertionError("started, with counts " + counts);
    } catch (IOException e) {
      return e.getMessage();
    }
  }

  /** A refused start-up leaves no replay thread behind, still running on the table given up. */
  @Test
  void aRefusedStartLeavesNoReplayThreadRunning() throws Exception {
    RestoreFiles journal = RestoreFiles.journal();
    for (int i = 0; i < 1000; i++) {
      journal.single("s" + i, 1);
    }
    Files.write(dir.resolve(FIRST), journal.single("x", -1).bytes());
    String message = refusal();
    assertTrue(message.contains("more plays of x removed"), message);
    long deadline = System.nanoTime() + 300_000_000L;
    while (replayThreads() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(0, replayThreads(), "replay threads still alive after the refusal");
  }

  private static long replayThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("playcounter-replay-")).count();
  }
}
