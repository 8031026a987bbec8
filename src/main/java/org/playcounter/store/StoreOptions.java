package org.playcounter.store;

import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.playcounter.store.format.ChannelOpener;
import org.playcounter.store.journal.JournalSettings;

/**
 * Everything a store is opened with, one immutable value: the song limit and the idempotency
 * keys' limits; for a durable store the data directory, the fsync mode and interval and the
 * journal size that starts a compaction; where warnings go and what hears each fsync's time.
 * Start from {@link #inMemory} and change what differs with the {@code with} methods.
 *
 * @param dataDir the data directory, or null for counts in memory only
 * @param fsyncAlways every change on disk before it returns; otherwise plays are in the file and
 *     forced every {@code fsyncIntervalMs}, while removals are always forced
 */
public record StoreOptions(long maxSongs, KeyLimits keys, Path dataDir, boolean fsyncAlways,
    long fsyncIntervalMs, long journalMaxBytes, Consumer<String> log, LongConsumer fsynced,
    int writeBuffer, ChannelOpener opener) {
  public StoreOptions {
    if (maxSongs < 1) {
      throw new IllegalArgumentException("maxSongs < 1: " + maxSongs);
    }
    if (keys == null || log == null || fsynced == null || opener == null) {
      throw new NullPointerException("keys, log, fsynced and opener are required");
    }
  }

  /** A store in memory only holding at most {@code maxSongs} songs, with the default key limits. */
  public static StoreOptions inMemory(long maxSongs) {
    return new StoreOptions(maxSongs, KeyLimits.DEFAULT, null, false, 1000, 64L << 20,
        line -> { }, nanos -> { }, JournalSettings.WRITE_BUFFER, ChannelOpener.FILES);
  }

  /** The same options, journaled in {@code dir}. */
  public StoreOptions withDataDir(Path dir) {
    return new StoreOptions(maxSongs, keys, dir, fsyncAlways, fsyncIntervalMs, journalMaxBytes,
        log, fsynced, writeBuffer, opener);
  }

  /** The same options with fsync mode {@code always} or every {@code intervalMs}. */
  public StoreOptions withFsync(boolean always, long intervalMs) {
    return new StoreOptions(maxSongs, keys, dataDir, always, intervalMs, journalMaxBytes, log,
        fsynced, writeBuffer, opener);
  }

  /** The same options, compacting the journal once it passes {@code bytes}. */
  public StoreOptions withJournalMaxBytes(long bytes) {
    return new StoreOptions(maxSongs, keys, dataDir, fsyncAlways, fsyncIntervalMs, bytes, log,
        fsynced, writeBuffer, opener);
  }

  /** The same options with other key limits. */
  public StoreOptions withKeys(KeyLimits limits) {
    return new StoreOptions(maxSongs, limits, dataDir, fsyncAlways, fsyncIntervalMs,
        journalMaxBytes, log, fsynced, writeBuffer, opener);
  }

  /**
   * The same options, warning to {@code warnings} and telling {@code fsyncNanos} how long each
   * successful fsync took (on the thread that forced: it must be quick).
   */
  public StoreOptions withLog(Consumer<String> warnings, LongConsumer fsyncNanos) {
    return new StoreOptions(maxSongs, keys, dataDir, fsyncAlways, fsyncIntervalMs,
        journalMaxBytes, warnings, fsyncNanos, writeBuffer, opener);
  }

  /** The same options formatting {@code bytes} per write and opening files with {@code files}. */
  public StoreOptions withFiles(int bytes, ChannelOpener files) {
    return new StoreOptions(maxSongs, keys, dataDir, fsyncAlways, fsyncIntervalMs,
        journalMaxBytes, log, fsynced, bytes, files);
  }

  /** The journal's part of the options. */
  JournalSettings journal() {
    return new JournalSettings(fsyncAlways, fsyncIntervalMs, journalMaxBytes, writeBuffer,
        opener, log, fsynced);
  }
}
