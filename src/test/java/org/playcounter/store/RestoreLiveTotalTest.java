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

/** A snapshot's declared live total is checked before it is allocated. */
final class RestoreLiveTotalTest {
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

  /**
   * A snapshot's first live record names the songs of them all, and the table is made that big
   * before a line is read: a total that the records do not hold is damage, and must be found
   * before the heap is spent on it (here a CRC-valid header would ask for terabytes).
   */
  @Test
  void aLiveTotalTheSnapshotCannotHoldIsDamageNotAnAllocation() throws IOException {
    Files.write(dir.resolve("snapshot"), RestoreFiles.snapshot()
        .record("snapshot 0 0 1")
        .record("live 1 " + Long.MAX_VALUE, "a 1").bytes());
    String message;
    try {
      message = refusal();
    } catch (OutOfMemoryError e) {
      throw new AssertionError("the declared total was allocated before it was checked", e);
    }
    assertTrue(message.contains("damaged"), message);
  }
}
