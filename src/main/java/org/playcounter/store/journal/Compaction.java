package org.playcounter.store.journal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.playcounter.store.format.ChannelOpener;
import org.playcounter.store.format.DataDirectory;
import org.playcounter.store.format.SnapshotWriter;
import org.playcounter.store.keys.KeyCopy;
import org.playcounter.store.keys.KeyTable;
import org.playcounter.store.table.PendingState;
import org.playcounter.store.table.SongTable;

/**
 * Keeps the journal short: once the current file passes {@code maxBytes}, switches to a new
 * generation and has a snapshot of the counts as they were at the switch written in the
 * background. Changes are held off only for the switch (writing what is queued, opening the new
 * file, cutting the table), never while the snapshot is written. A compaction that fails costs
 * nothing but disk space: the old snapshot and journals still add up, and it is tried again
 * after another {@code maxBytes}.
 */
final class Compaction {
  private final Path dir;
  private final SongTable table;
  private final KeyTable keys;
  private final JournalFile file;
  private final GroupCommit commit;
  private final ChangeQueue queue;
  private final ChangeHold hold;
  private final ChannelOpener opener;
  private final Consumer<String> log;
  private final long maxBytes;
  /** Size of the current journal that starts a compaction; the writer's and the compactor's. */
  private volatile long compactAt;
  /** Writes the snapshot of a compaction; null before the first. */
  private volatile Thread compactor;
  private volatile long compactions;

  Compaction(Path dir, SongTable table, KeyTable keys, JournalFile file, GroupCommit commit,
      ChangeQueue queue, ChangeHold hold, JournalSettings settings) {
    this.dir = dir;
    this.table = table;
    this.keys = keys;
    this.file = file;
    this.commit = commit;
    this.queue = queue;
    this.hold = hold;
    this.opener = settings.opener();
    this.log = settings.log();
    this.maxBytes = settings.maxBytes();
    this.compactAt = maxBytes;
  }

  /** True when a journal of {@code written} bytes is due for a compaction. */
  boolean due(long written) {
    return written >= compactAt;
  }

  long compactions() {
    return compactions;
  }

  /** With the file held: switches generations and starts the snapshot, unless one is running. */
  void compact() {
    if (compactor != null && compactor.isAlive()) {
      return; // the last snapshot is still being written
    }
    commit.forceWritten(); // most of what the switch must force, before changes are held off
    long covered = file.generation();
    FileChannel next = null;
    try {
      next = file.create(covered + 1);
      DataDirectory.sync(dir); // and g + 1's name is on disk before anything in it is forced
    } catch (IOException | RuntimeException e) {
      abandon(next, covered + 1);
      compactAt = file.written() + maxBytes;
      log.accept("playcounter: compaction in " + dir + " could not start a new journal (" + e
          + "); it is tried again after " + maxBytes + " more bytes");
      return;
    }
    int epoch;
    long live;
    PendingState drains;
    KeyCopy keysAtCut;
    FileChannel old;
    hold.hold();
    try {
      List<JournalEntry> rest = queue.take();
      if (!rest.isEmpty()) {
        commit.writeBatch(rest);
      }
      // Journal g is forced whole before g + 1 is used: a change forced into g + 1 then never
      // follows a tail of g that a power loss could tear, which recovery would have to refuse.
      commit.forceWritten();
      if (queue.failed() != null) {
        abandon(next, covered + 1);
        return;
      }
      old = file.switchTo(next, covered + 1);
      epoch = table.snapshotCut().cut();
      live = table.songs();
      drains = table.drains().state();
      keysAtCut = keys.copy();
    } finally {
      hold.release();
    }
    compactAt = Long.MAX_VALUE; // until the snapshot is done
    Thread writer = new Thread(() -> writeSnapshot(old, covered, epoch, live, drains, keysAtCut),
        "playcounter-snapshot " + dir);
    writer.setDaemon(true);
    compactor = writer;
    writer.start();
  }

  /**
   * The compactor's work: closes the old journal {@code covered} (forced at the switch), writes
   * the snapshot of cut {@code epoch}, which covers it, and deletes the journals it covers.
   */
  private void writeSnapshot(FileChannel old, long covered, int epoch, long live,
      PendingState drains, KeyCopy keysAtCut) {
    closeQuietly(old);
    boolean done = false;
    try {
      write(covered, epoch, live, drains, keysAtCut);
      for (long g : DataDirectory.generations(dir)) {
        if (g <= covered) {
          Files.deleteIfExists(DataDirectory.journal(dir, g));
        }
      }
      compactions++;
      compactAt = maxBytes;
      done = true;
    } catch (IOException | RuntimeException e) {
      log.accept("playcounter: compaction in " + dir + " failed (" + e + "); the journals"
          + " are kept and it is tried again after " + maxBytes + " more bytes");
    } finally {
      if (!done) { // an Error too: compaction must not stop for good
        compactAt = file.written() + maxBytes;
      }
      table.snapshotCut().end(epoch);
      queue.wakeWriter(); // to check again whether a compaction is due
    }
  }

  /** Writes the snapshot: the cut's pending drains, keys and live counts. */
  private void write(long covered, int epoch, long live, PendingState drains, KeyCopy keysAtCut)
      throws IOException {
    try (SnapshotWriter out = SnapshotWriter.create(dir, opener)) {
      out.header(covered, drains.next());
      for (PendingState.Drain drain : drains.drains()) {
        out.beginPending(drain.number(), drain.counts().size());
        drain.counts().forEach(out::line);
        out.endRecord();
      }
      keysAtCut.forEach((hi, lo, fingerprint, time, kind, value, body) ->
          out.key(time, kind, hi, lo, fingerprint, value, body));
      out.beginLive(live);
      long[] songs = {0};
      table.snapshotCut().forEachAt(epoch, (id, count) -> {
        out.line(id, count);
        songs[0]++;
      });
      if (songs[0] != live) {
        throw new IllegalStateException("the cut held " + songs[0] + " songs, not " + live);
      }
      out.endRecord();
      out.commit();
    }
  }

  /** Waits until no snapshot is being written. */
  void await() {
    Thread running = compactor;
    boolean interrupted = false;
    while (running != null && running.isAlive()) {
      try {
        running.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Closes and deletes journal {@code g}, made for a switch that did not happen. */
  private void abandon(FileChannel next, long g) {
    closeQuietly(next);
    try {
      Files.deleteIfExists(DataDirectory.journal(dir, g)); // recovery would skip it too
    } catch (IOException | RuntimeException ignored) {
      // an empty journal after the one in use is harmless: recovery reads past it
    }
  }

  /** Closes a journal that is forced whole, or was never written: nothing in it can be lost. */
  static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // what it holds is on disk already
      }
    }
  }
}
