package org.playcounter.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {
  @TempDir
  Path dir;

  private final List<String> log = new ArrayList<>();

  @Test
  void everyKindOfChangeSurvivesAReopen() throws IOException {
    PlayCountStore store = open(false, 1 << 20);
    store.increment("1");
    store.increment("1");
    store.add(Map.of("5", 3L, "7", 2L));
    store.remove("7");
    store.increment("gone");
    Drained drained = store.drain();
    assertEquals(3, drained.size());
    store.increment("after");
    store.restore(drained); // an undelivered drain is put back, and journaled so
    store.remove("gone");
    store.close();
    assertEquals(Map.of("1", 2L, "5", 3L, "after", 1L), contents(open(false, 1 << 20)));
  }

  @Test
  void aDrainIsNeverBroughtBackByARestart() throws IOException {
    PlayCountStore store = open(true, 1 << 20);
    store.add(Map.of("a", 10L, "b", 1L));
    store.drain();
    store.increment("a");
    store.close();
    assertEquals(Map.of("a", 1L), contents(open(true, 1 << 20)));
  }

  @Test
  void tornLastRecordIsDroppedWithAWarning() throws IOException {
    PlayCountStore store = open(true, 1 << 20);
    store.increment("kept");
    store.close();
    Path journal = onlyJournal();
    long size = Files.size(journal);
    Files.write(journal, "+torn 4".getBytes(StandardCharsets.US_ASCII),
        StandardOpenOption.APPEND);
    assertEquals(Map.of("kept", 1L), contents(open(true, 1 << 20)));
    assertTrue(log.stream().anyMatch(line -> line.contains("dropped a torn last record at offset "
        + size)), log.toString());
    assertEquals(size, Files.size(journal));
  }

  @Test
  void zeroFilledTailIsATornRecordToo() throws IOException {
    PlayCountStore store = open(true, 1 << 20);
    store.increment("kept");
    store.close();
    Files.write(onlyJournal(), new byte[4096], StandardOpenOption.APPEND);
    assertEquals(Map.of("kept", 1L), contents(open(true, 1 << 20)));
  }

  @Test
  void damageBeforeTheLastRecordStopsStartUpNamingFileAndOffset() throws IOException {
    PlayCountStore store = open(true, 1 << 20);
    store.increment("first");
    store.increment("second");
    store.increment("third");
    store.close();
    Path journal = onlyJournal();
    byte[] bytes = Files.readAllBytes(journal);
    int second = new String(bytes, StandardCharsets.US_ASCII).indexOf("+second");
    bytes[second + 3] = 'X'; // the CRC no longer matches
    Files.write(journal, bytes);
    IOException e = assertThrows(IOException.class, () -> open(true, 1 << 20));
    assertTrue(e.getMessage().contains(journal.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("at byte " + second), e.getMessage());
  }

  @Test
  void unwritableDirectoryFailsAtStartUp() throws IOException {
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    IOException e = assertThrows(IOException.class,
        () -> PlayCountStore.open(file.resolve("data"), 1_000_000, true, 1 << 20, log::add));
    assertTrue(e.getMessage().startsWith("data-dir " + file.resolve("data")), e.getMessage());
  }

  @Test
  void secondStoreOnTheSameDirectoryIsRefused() throws IOException {
    PlayCountStore first = open(true, 1 << 20);
    IOException e = assertThrows(IOException.class, () -> open(true, 1 << 20));
    assertTrue(e.getMessage().contains("in use by another playcounter deployment"),
        e.getMessage());
    first.close();
    open(true, 1 << 20).close(); // free again once the first has closed
  }

  @Test
  void compactionWritesASnapshotAndRestartsTheJournal() throws IOException {
    PlayCountStore store = open(false, 4096);
    Map<String, Long> expected = new HashMap<>();
    for (int i = 0; i < 3000; i++) {
      String id = "s" + (i % 200);
      store.increment(id);
      expected.merge(id, 1L, Long::sum);
    }
    store.remove("s7");
    expected.remove("s7");
    store.close();
    assertTrue(Files.exists(dir.resolve(Journal.SNAPSHOT)));
    assertTrue(Files.size(onlyJournal()) < 4096 + 64, "the journal restarted");
    assertEquals(expected, contents(open(false, 4096)));
  }

  @Test
  void damagedSnapshotStopsStartUp() throws IOException {
    PlayCountStore store = open(false, 4096);
    for (int i = 0; i < 400; i++) {
      store.increment("s" + i);
    }
    store.close();
    Path snapshot = dir.resolve(Journal.SNAPSHOT);
    String text = Files.readString(snapshot).replaceFirst("\ns1 1\n", "\ns1 9\n");
    Files.writeString(snapshot, text);
    IOException e = assertThrows(IOException.class, () -> open(false, 4096));
    assertTrue(e.getMessage().contains(snapshot.toString()), e.getMessage());
  }

  @Test
  void failedWriteIsRefusedAndChangesNothing() throws IOException {
    PlayCountStore store = open(true, 1 << 20);
    store.increment("a");
    store.journal().close(); // the file is gone from under the store, as on a dead disk
    assertThrows(StorageFailedException.class, () -> store.increment("a"));
    assertThrows(StorageFailedException.class, () -> store.remove("a"));
    assertThrows(StorageFailedException.class, store::drain);
    assertEquals(1, store.get("a"));
    assertTrue(store.unavailable().startsWith("storage failed"), store.unavailable());
  }

  @Test
  void drainLosesNoConcurrentPlayThroughCompactionsAndAReopen() throws Exception {
    PlayCountStore store = open(false, 4096);
    int writers = 4;
    int perWriter = 5_000;
    Map<String, Long> drained = new ConcurrentHashMap<>();
    AtomicBoolean writing = new AtomicBoolean(true);
    Thread drainer = new Thread(() -> {
      while (writing.get()) {
        store.drain().forEach((id, count) -> drained.merge(id, count, Long::sum));
      }
    });
    drainer.start();
    try {
      Concurrently.run(writers, thread -> {
        for (int i = 0; i < perWriter; i++) {
          store.increment("s" + (i % 50));
        }
      });
    } finally {
      writing.set(false);
      drainer.join();
    }
    Map<String, Long> remaining = new HashMap<>();
    store.snapshot((id, count) -> remaining.put(id, count));
    store.close();
    for (int song = 0; song < 50; song++) {
      String id = "s" + song;
      assertEquals(writers * perWriter / 50, drained.getOrDefault(id, 0L)
          + remaining.getOrDefault(id, 0L), id);
    }
    assertEquals(remaining, contents(open(false, 4096)), "the journal agrees with memory");
  }

  private PlayCountStore open(boolean always, long journalMaxBytes) throws IOException {
    return PlayCountStore.open(dir, 1_000_000, always, journalMaxBytes, log::add);
  }

  private Path onlyJournal() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> journals = files.filter(p -> p.getFileName().toString().startsWith("journal-"))
          .toList();
      assertEquals(1, journals.size(), journals.toString());
      return journals.get(0);
    }
  }

  private static Map<String, Long> contents(PlayCountStore store) {
    Map<String, Long> counts = new HashMap<>();
    store.snapshot((id, count) -> counts.put(id, count));
    store.close();
    assertFalse(counts.containsValue(0L));
    return counts;
  }

  private static Map<String, Long> contents(Drained drained) {
    Map<String, Long> counts = new HashMap<>();
    drained.forEach((id, count) -> counts.put(id, count));
    return counts;
  }
}
