package org.playcounter.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.playcounter.store.format.ChannelOpener;
import org.playcounter.store.journal.JournalSettings;

/** Damage in the middle of the last journal must stop start-up, never drop changes. */
final class RecoveryDamageTest {
  @TempDir
  Path dir;

  private final List<String> log = new ArrayList<>();

  private PlayCountStore open() throws IOException {
    return Stores.open(dir, 1000, new JournalSettings(true, 1000, 1L << 40, 1 << 16,
        ChannelOpener.FILES, log::add));
  }

  private Path journal() throws IOException {
    try (var files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().startsWith("journal-")).sorted()
          .reduce((a, b) -> b).orElseThrow();
    }
  }

  /** Writes a journal: plays, a bulk record, then many more plays after it. */
  private Path journalWithRecordInTheMiddle() throws IOException {
    PlayCountStore store = open();
    store.increment("a");
    Map<String, Long> bulk = new LinkedHashMap<>();
    bulk.put("a", 1L);
    bulk.put("b", 1L);
    store.add(bulk);
    for (int i = 0; i < 50; i++) {
      store.increment("c");
    }
    store.closeKeepingJournal();
    return journal();
  }

  private static void replace(Path file, String from, String to) throws IOException {
    String text = new String(Files.readAllBytes(file), StandardCharsets.US_ASCII);
    int at = text.indexOf(from);
    if (at < 0) {
      throw new AssertionError("no '" + from + "' in " + text);
    }
    Files.write(file, (text.substring(0, at) + to + text.substring(at + from.length()))
        .getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void aDamagedRecordHeaderFollowedByFiftyChangesStopsStartUp() throws IOException {
    Path journal = journalWithRecordInTheMiddle();
    replace(journal, "begin plays 2", "begix plays 2"); // one byte flipped, line complete
    IOException refused = assertThrows(IOException.class, () -> {
      PlayCountStore store = open();
      Map<String, Long> counts = new LinkedHashMap<>();
      store.snapshot(counts::put);
      store.closeKeepingJournal();
      throw new AssertionError("started, with counts " + counts + "; log " + log);
    });
    assertEquals(true, refused.getMessage().contains("damaged"), refused.getMessage());
  }

  @Test
  void aRecordHeaderWithADamagedLineCountFollowedByChangesStopsStartUp() throws IOException {
    Path journal = journalWithRecordInTheMiddle();
    replace(journal, "begin plays 2", "begin plays ?");
    assertThrows(IOException.class, () -> {
      PlayCountStore store = open();
      Map<String, Long> counts = new LinkedHashMap<>();
      store.snapshot(counts::put);
      store.closeKeepingJournal();
      throw new AssertionError("started, with counts " + counts + "; log " + log);
    });
  }

  @Test
  void aOneSongLineWhoseSignFlippedToBStopsStartUp() throws IOException {
    Path journal = journalWithRecordInTheMiddle();
    replace(journal, "\n+c 1 ", "\nbc 1 ");
    assertThrows(IOException.class, () -> {
      PlayCountStore store = open();
      Map<String, Long> counts = new LinkedHashMap<>();
      store.snapshot(counts::put);
      store.closeKeepingJournal();
      throw new AssertionError("started, with counts " + counts + "; log " + log);
    });
  }

  /**
   * A power loss while a compaction made journal 2 can leave it with its size but not its bytes:
   * zeros. The old recovery dropped such a tail as torn; this one refuses to start.
   */
  @Test
  void aLastJournalOfZerosLeftByAPowerLossIsATornTailNotAnOldFormat() throws IOException {
    PlayCountStore store = open();
    store.increment("a");
    store.closeKeepingJournal();
    Files.write(dir.resolve("journal-000000000002"), new byte[22]);
    PlayCountStore again = open();
    try {
      assertEquals(1, again.get("a"));
    } finally {
      again.closeKeepingJournal();
    }
  }

  /** A journal of zeros taken up again gets its version line back, so what follows reopens. */
  @Test
  void changesAppendedToAJournalOfZerosSurviveTheNextRestart() throws IOException {
    PlayCountStore store = open();
    store.increment("a");
    store.closeKeepingJournal();
    Files.write(dir.resolve("journal-000000000002"), new byte[40]);
    PlayCountStore again = open();
    again.increment("a");
    again.increment("b");
    again.closeKeepingJournal();
    PlayCountStore third = open();
    try {
      assertEquals(2, third.get("a"));
      assertEquals(1, third.get("b"));
    } finally {
      third.closeKeepingJournal();
    }
  }

  /** The same with a version line torn after its first bytes, the rest of its block zeros. */
  @Test
  void aTornVersionLineFollowedByZerosIsATornTail() throws IOException {
    PlayCountStore store = open();
    store.increment("a");
    store.closeKeepingJournal();
    byte[] torn = new byte[22];
    System.arraycopy("playcounter-jour".getBytes(StandardCharsets.US_ASCII), 0, torn, 0, 16);
    Files.write(dir.resolve("journal-000000000002"), torn);
    PlayCountStore again = open();
    try {
      assertEquals(1, again.get("a"));
    } finally {
      again.closeKeepingJournal();
    }
  }
}
