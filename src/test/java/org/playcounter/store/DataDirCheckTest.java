package org.playcounter.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.playcounter.store.format.ChannelOpener;
import org.playcounter.store.journal.DataDirCheck;
import org.playcounter.store.journal.JournalSettings;

/** The offline check of a data directory: what a start-up finds, and nothing changed. */
final class DataDirCheckTest {
  @TempDir
  Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private PlayCountStore open() throws IOException {
    List<String> log = new ArrayList<>();
    return Stores.open(dir, 1000, new JournalSettings(true, 1000, 1L << 40, 1 << 16,
        ChannelOpener.FILES, log::add));
  }

  private int check(String... args) {
    return DataDirCheck.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String said() {
    return err.toString(StandardCharsets.UTF_8);
  }

  /** Every file's bytes, by name. */
  private Map<String, byte[]> files() throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> list = Files.list(dir)) {
      for (Path file : list.toList()) {
        files.put(file.getFileName().toString(), Files.readAllBytes(file));
      }
    }
    return files;
  }

  private Map<String, Long> crashedWithADrainAndAKey() throws IOException {
    PlayCountStore store = open();
    store.increment("drain");
    Map<String, Long> bulk = new LinkedHashMap<>();
    bulk.put("end", 1L << 53);
    bulk.put("begin", 2L);
    store.add(bulk);
    store.createDrain(10);
    store.increment("live", TestKeys.play("k1", "live", false, System.currentTimeMillis()));
    store.increment("live");
    Map<String, Long> counts = new TreeMap<>();
    store.snapshot(counts::put);
    store.closeKeepingJournal();
    return counts;
  }

  @Test
  void aCrashedDirectoryIsSoundItsTotalsAndCountsPrintedAndNothingChanged() throws IOException {
    Map<String, Long> counts = crashedWithADrainAndAKey();
    Map<String, byte[]> before = files();
    assertEquals(0, check("--counts", dir.toString()), said());
    assertTrue(said().contains("ok: 4 songs holding " + ((1L << 53) + 5) + " plays"), said());
    assertTrue(said().matches("(?s).*1 of them live; pending drains \\[[0-9]+\\] holding 3 song"
        + " counts; 1 idempotency keys.*"), said());
    Map<String, Long> printed = new TreeMap<>();
    for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
      printed.put(line.substring(0, line.lastIndexOf('=')),
          Long.parseLong(line.substring(line.lastIndexOf('=') + 1)));
    }
    assertEquals(counts, printed);
    Map<String, byte[]> after = files();
    assertEquals(before.keySet(), after.keySet());
    before.forEach((name, bytes) -> assertArrayEquals(bytes, after.get(name), name));
  }

  @Test
  void playsPastALongAreAddedUpExactly() throws IOException {
    PlayCountStore store = open();
    Map<String, Long> bulk = new LinkedHashMap<>();
    bulk.put("a", Long.MAX_VALUE);
    bulk.put("b", Long.MAX_VALUE);
    store.add(bulk);
    store.closeKeepingJournal();
    assertEquals(0, check(dir.toString()), said());
    assertTrue(said().contains("ok: 2 songs holding 18446744073709551614 plays"), said());
  }

  @Test
  void aTornTailIsReportedNotCut() throws IOException {
    crashedWithADrainAndAKey();
    Path journal = Files.list(dir).filter(p -> p.getFileName().toString()
        .startsWith("journal-")).sorted().reduce((a, b) -> b).orElseThrow();
    Files.write(journal, "begin plays 2\nx 1\n".getBytes(StandardCharsets.US_ASCII),
        StandardOpenOption.APPEND);
    byte[] torn = Files.readAllBytes(journal);
    assertEquals(0, check(dir.toString()), said());
    assertTrue(said().contains("a start-up drops a torn last record at offset "
        + (torn.length - 18)), said());
    assertArrayEquals(torn, Files.readAllBytes(journal));
    assertEquals("", out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void damageIsStatusOneNamingTheFileAndOffset() throws IOException {
    crashedWithADrainAndAKey();
    Path journal = Files.list(dir).filter(p -> p.getFileName().toString()
        .startsWith("journal-")).sorted().reduce((a, b) -> b).orElseThrow();
    String text = Files.readString(journal, StandardCharsets.US_ASCII);
    int at = text.indexOf("begin plays 2");
    Files.writeString(journal, text.replace("begin plays 2", "begin plays 3"),
        StandardCharsets.US_ASCII);
    assertEquals(1, check(dir.toString()), said());
    assertTrue(said().contains("damaged") && said().contains(journal + " at byte " + at),
        said());
  }

  @Test
  void misuseIsStatusTwo() {
    assertEquals(2, check());
    assertEquals(2, check("--count", dir.toString()));
    assertEquals(2, check(dir.resolve("missing").toString()));
    assertTrue(said().contains("usage: DataDirCheck [--counts] DATA-DIR"), said());
  }
}
