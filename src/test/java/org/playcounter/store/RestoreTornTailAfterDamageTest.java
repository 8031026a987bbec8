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

/** A start-up refused for damage does not cut a torn tail first. */
final class RestoreTornTailAfterDamageTest {
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
   * A start-up refused for damage leaves the directory as it found it: the torn tail after the
   * damage is not cut off first (it was not, when changes were applied as they were read).
   */
  @Test
  void aRefusedStartDoesNotCutTheTornTailAfterTheDamage() throws IOException {
    byte[] whole = RestoreFiles.journal().single("x", -1).single("y", 1)
        .record("plays 2", "z 1", "w 1").bytes();
    byte[] torn = java.util.Arrays.copyOf(whole, whole.length - 5);
    Files.write(dir.resolve(FIRST), torn);
    String message = refusal();
    assertTrue(message.contains("more plays of x removed"), message);
    assertEquals(torn.length, Files.size(dir.resolve(FIRST)), "the journal was cut");
  }
}
