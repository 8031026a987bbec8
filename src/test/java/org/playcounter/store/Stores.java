package org.playcounter.store;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.playcounter.store.journal.JournalSettings;

/** Opens durable stores for the store's tests, from the journal's settings given whole. */
final class Stores {
  private Stores() {}

  static PlayCountStore open(Path dir, long maxSongs, JournalSettings settings)
      throws IOException {
    return open(dir, maxSongs, settings, KeyLimits.DEFAULT);
  }

  static PlayCountStore open(Path dir, long maxSongs, JournalSettings settings, KeyLimits keys)
      throws IOException {
    return PlayCountStore.open(StoreOptions.inMemory(maxSongs).withDataDir(dir).withKeys(keys)
        .withFsync(settings.fsyncAlways(), settings.fsyncIntervalMs())
        .withJournalMaxBytes(settings.maxBytes())
        .withFiles(settings.writeBuffer(), settings.opener())
        .withLog(settings.log(), settings.fsynced()));
  }

  static PlayCountStore open(Path dir, long maxSongs, boolean fsyncAlways, long fsyncIntervalMs,
      long journalMaxBytes, Consumer<String> log) throws IOException {
    return PlayCountStore.open(StoreOptions.inMemory(maxSongs).withDataDir(dir)
        .withFsync(fsyncAlways, fsyncIntervalMs).withJournalMaxBytes(journalMaxBytes)
        .withLog(log, nanos -> { }));
  }

  /** The counts a store opened on {@code dir} recovers; the directory is left as recovery left it. */
  static Map<String, Long> recover(Path dir) throws IOException {
    PlayCountStore store = PlayCountStore.open(StoreOptions.inMemory(1_000_000).withDataDir(dir));
    Map<String, Long> recovered = new HashMap<>();
    store.snapshot(recovered::put);
    store.closeKeepingJournal();
    return recovered;
  }
}
