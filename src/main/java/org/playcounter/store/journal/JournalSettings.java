package org.playcounter.store.journal;

import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.playcounter.store.format.ChannelOpener;

/**
 * How a journal runs: fsync mode and interval, the size that starts a compaction, the bytes
 * formatted per write, how files are opened (a faulty opener in tests), where warnings go, and
 * what hears how long each successful fsync took, in nanoseconds (on the thread that forced, so
 * it must be quick).
 */
public record JournalSettings(boolean fsyncAlways, long fsyncIntervalMs, long maxBytes,
    int writeBuffer, ChannelOpener opener, Consumer<String> log, LongConsumer fsynced) {
  /** The bytes formatted per write in use. */
  public static final int WRITE_BUFFER = 1 << 20;

  public JournalSettings {
    if (fsyncIntervalMs < 1) {
      throw new IllegalArgumentException("fsyncIntervalMs < 1: " + fsyncIntervalMs);
    }
    if (maxBytes < 1) {
      throw new IllegalArgumentException("maxBytes < 1: " + maxBytes);
    }
  }

  /** Settings whose fsyncs are not timed. */
  public JournalSettings(boolean fsyncAlways, long fsyncIntervalMs, long maxBytes,
      int writeBuffer, ChannelOpener opener, Consumer<String> log) {
    this(fsyncAlways, fsyncIntervalMs, maxBytes, writeBuffer, opener, log, nanos -> { });
  }
}
