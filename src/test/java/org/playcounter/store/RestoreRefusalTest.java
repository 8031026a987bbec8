package org.playcounter.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A start-up refused for damage while changes are held back in the replay's batch: the first
 * damage in the file is named, the directory is left as it was found, nothing is allocated for a
 * total the file cannot hold, and no worker thread is left running.
 */
final class RestoreRefusalTest {
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

  /** The refusal names the removal of x just past the version line, the first damage. */
  private void assertFirstDamageNamed() {
    String message = refusal();
    assertTrue(message.contains("more plays of x removed") && message.contains("at byte "
        + VERSION), message);
  }

  /**
   * Damage found while decoding (here a removal from a drain that is not pending) after a change
   * held back that takes a total below zero: the first damage in the file is the one to name, as
   * when every change was applied as it was read.
   */
  @Test
  void theFirstDamageIsNamedWhenAHeldBackChangeWentBelowZeroBeforeADecodingDamage()
      throws IOException {
    Files.write(dir.resolve(FIRST), RestoreFiles.journal()
        .single("x", -1)
        .single("y", 1)
        .record("removes 1", "y 1 7").bytes());
    assertFirstDamageNamed();
  }

  /** The same with a record whose checksum matches but whose line is bad for its kind. */
  @Test
  void theFirstDamageIsNamedWhenAHeldBackChangeWentBelowZeroBeforeABadLine()
      throws IOException {
    Files.write(dir.resolve(FIRST), RestoreFiles.journal()
        .single("x", -1)
        .single("y", 1)
        .record("plays 1", "y 0").bytes());
    assertFirstDamageNamed();
  }

  /** The same with a record whose checksum does not match in a journal that is not the last. */
  @Test
  void theFirstDamageIsNamedWhenAHeldBackChangeWentBelowZeroBeforeABadRecord()
      throws IOException {
    byte[] bad = RestoreFiles.journal().single("x", -1).single("y", 1)
        .record("plays 1", "z 1").bytes();
    bad[bad.length - 3] ^= 1; // the CRC's last digit
    Files.write(dir.resolve(FIRST), bad);
    Files.write(dir.resolve("journal-000000000002"), RestoreFiles.journal().single("y", 1)
        .bytes());
    assertFirstDamageNamed();
  }

  /**
   * A start-up refused for damage leaves the directory as it found it: the torn tail after the
   * damage is not cut off first (it was not, when changes were applied as they were read).
   */
  @Test
  void aRefusedStartDoesNotCutTheTornTailAfterTheDamage() throws IOException {
    byte[] whole = RestoreFiles.journal().single("x", -1).single("y", 1)
        .record("plays 2", "z 1", "w 1").bytes();
    byte[] torn = Arrays.copyOf(whole, whole.length - 5);
    Files.write(dir.resolve(FIRST), torn);
    String message = refusal();
    assertTrue(message.contains("more plays of x removed"), message);
    assertEquals(torn.length, Files.size(dir.resolve(FIRST)), "the journal was cut");
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
