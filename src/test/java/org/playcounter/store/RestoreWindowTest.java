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

/** Journals larger than recovery's window: records across its edge, at it, longer than it. */
final class RestoreWindowTest {
  private static final int WINDOW = 4 << 20;
  private static final String FIRST = "journal-000000000001";

  @TempDir
  Path dir;

  /** Pads with one-song lines of "f.." ids, one play each, until the file is {@code size}. */
  private static long padTo(RestoreFiles f, int size) {
    long plays = 0;
    while (size - f.size() > 300) {
      f.single("f" + "x".repeat(99), 1);
      plays++;
    }
    while (f.size() < size) {
      int left = size - f.size();
      int line = left > 141 ? 100 : left; // a line of idLength + 13 bytes for one play
      if (left > 141 && left - 100 < 14) {
        line = 60;
      }
      f.single("f" + "y".repeat(line - 14), 1);
      plays++;
    }
    assertEquals(size, f.size());
    return plays;
  }

  private long count(Map<String, Long> counts, String prefix) {
    return counts.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
        .mapToLong(Map.Entry::getValue).sum();
  }

  @Test
  void recordsAcrossAndAtTheWindowsEdgeAndLongerThanItAreAllRead() throws IOException {
    RestoreFiles f = RestoreFiles.journal();
    long plays = padTo(f, WINDOW - 10);
    f.record("plays 3", "a 1", "end 2", "begin 3"); // across the edge
    plays += padTo(f, 2 * WINDOW - 40);
    StringBuilder bulk = new StringBuilder();
    int lines = 600_000;
    for (int i = 0; i < lines; i++) {
      bulk.append("g").append(i).append(" 1\n");
    }
    f.record("plays " + lines, bulk); // longer than the window
    f.single("a", 7);
    Files.write(dir.resolve(FIRST), f.bytes());
    Map<String, Long> counts = Stores.recover(dir);
    assertEquals(8, counts.get("a"));
    assertEquals(2, counts.get("end"));
    assertEquals(3, counts.get("begin"));
    assertEquals(lines, count(counts, "g"));
    assertEquals(plays, count(counts, "f"));
  }

  @Test
  void aRecordEndingExactlyAtTheWindowsEdge() throws IOException {
    RestoreFiles f = RestoreFiles.journal();
    String record = "begin plays 1\nb 5\nend 00000000\n";
    long plays = padTo(f, WINDOW - record.length());
    f.record("plays 1", "b 5");
    assertEquals(WINDOW, f.size());
    f.single("b", 1);
    Files.write(dir.resolve(FIRST), f.bytes());
    Map<String, Long> counts = Stores.recover(dir);
    assertEquals(6, counts.get("b"));
    assertEquals(plays, count(counts, "f"));
  }

  /** Overflow and a negative total past the first window: named at their offsets in the file. */
  @Test
  void overflowPastTheFirstWindowIsNamedAtItsFileOffset() throws IOException {
    RestoreFiles f = RestoreFiles.journal();
    padTo(f, WINDOW + 12345);
    f.single("big", Long.MAX_VALUE);
    int at = f.size();
    f.single("big", 1);
    f.single("other", -1);
    Files.write(dir.resolve(FIRST), f.bytes());
    IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
        () -> Stores.recover(dir));
    assertTrue(e.getMessage().contains("the count of big passes")
        && e.getMessage().contains("at byte " + at + ";"), e.getMessage());
  }

  /** Of many songs below zero in one set, the first in the file is named. */
  @Test
  void theLowestOffsetOfManyNegativeTotalsIsNamed() throws IOException {
    RestoreFiles f = RestoreFiles.journal();
    f.single("a", 1);
    int at = f.size();
    for (int i = 0; i < 300; i++) {
      f.single("n" + i, -1);
    }
    Files.write(dir.resolve(FIRST), f.bytes());
    IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
        () -> Stores.recover(dir));
    assertTrue(e.getMessage().contains("more plays of n0 removed")
        && e.getMessage().contains("at byte " + at + ";"), e.getMessage());
  }

  /** A song's changes across three sets of held-back changes meet its count in their order. */
  @Test
  void oneSongsChangesAcrossSetsKeepTheirOrder() throws IOException {
    RestoreFiles f = RestoreFiles.journal();
    for (int round = 0; round < 3; round++) {
      f.single("a", 1);
      for (int i = 0; i < 140_000; i++) {
        f.single("p" + (i % 1000), 1);
      }
      f.single("a", -1);
    }
    f.single("a", 2);
    Files.write(dir.resolve(FIRST), f.bytes());
    Map<String, Long> counts = Stores.recover(dir);
    assertEquals(2, counts.get("a"));
    assertEquals(420_000, count(counts, "p"));
  }

  /** A torn last record across the window's edge, cut at every byte: dropped, the rest kept. */
  @Test
  void aTornTailAcrossTheWindowsEdgeAtEveryByte() throws IOException {
    RestoreFiles f = RestoreFiles.journal();
    long plays = padTo(f, WINDOW - 20);
    int start = f.size();
    f.record("plays 3", "t 1", "u 1", "v 1");
    byte[] whole = f.bytes();
    for (int cut = start; cut < whole.length; cut++) {
      Path file = dir.resolve(FIRST);
      Files.write(file, Arrays.copyOf(whole, cut));
      Map<String, Long> counts = Stores.recover(dir);
      assertEquals(plays, count(counts, "f"), "cut at " + cut);
      assertEquals(null, counts.get("t"), "cut at " + cut);
      assertEquals(start, Files.size(file), "cut at " + cut);
    }
    Files.write(dir.resolve(FIRST), whole);
    assertEquals(1, Stores.recover(dir).get("v"));
  }
}
