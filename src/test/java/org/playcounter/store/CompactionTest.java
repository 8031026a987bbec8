package org.playcounter.store;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.playcounter.store.journal.JournalSettings;

/**
 * A write that fails while a record spans buffers leaves the shared encoder with the
 * record open; the compaction that the same writePending starts then formats the new journal's
 * version line with that encoder and fails on an IllegalStateException.
 */
final class CompactionTest {
  @TempDir
  Path dir;

  private final List<String> log = Collections.synchronizedList(new ArrayList<>());

  @org.junit.jupiter.api.RepeatedTest(5)
  void aWriteThatFailsMidRecordDoesNotBreakTheNextCompactionsVersionLine() throws IOException {
    Faults faults = new Faults();
    PlayCountStore store = Stores.open(dir, 1000,
        new JournalSettings(true, 1000, 1, 1024, faults, log::add));
    store.increment("x"); // a compaction runs after it (max bytes 1)
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (store.journal().compactions() < 1 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    store.journal().awaitCompaction();
    Map<String, Long> bulk = new LinkedHashMap<>();
    for (int i = 0; i < 20; i++) {
      bulk.put(String.valueOf(i).repeat(100).substring(0, 100), 1L);
    }
    faults.writeBudget = 100; // the first flush of the bulk record fails part way
    assertThrows(StorageFailedException.class, () -> store.add(bulk));
    faults.disarm();
    store.journal().awaitCompaction();
    store.close();
    System.out.println("REVIEWLOG " + log);
    for (String line : log) {
      assertFalse(line.contains("IllegalStateException"), line);
    }
  }
}
