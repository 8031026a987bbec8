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

/** Damage after a change held back that went below zero: the first in the file is named. */
final class RestoreFirstDamageTest {
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
    String message = refusal();
    assertTrue(message.contains("more plays of x removed") && message.contains("at byte "
        + VERSION), message);
  }

  /** The same with a record whose checksum matches but whose line is bad for its kind. */
  @Test
  void theFirstDamageIsNamedWhenAHeldBackChangeWentBelowZeroBeforeABadLine()
      throws IOException {
    Files.write(dir.resolve(FIRST), RestoreFiles.journal()
        .single("x", -1)
        .single("y", 1)
        .record("plays 1", "y 0").bytes());
    String message = refusal();
    assertTrue(message.contains("more plays of x removed") && message.contains("at byte "
        + VERSION), message);
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
    String message = refusal();
    assertTrue(message.contains("more plays of x removed") && message.contains("at byte "
        + VERSION), message);
  }
}
