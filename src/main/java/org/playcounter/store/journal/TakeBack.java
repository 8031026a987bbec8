package org.playcounter.store.journal;

import java.nio.file.Files;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.playcounter.store.table.SongTable;

/**
 * The one way a change that did not reach the file leaves memory: while every change is held
 * off, the entries not in the file are undone newest first (each change carries its own undo)
 * and refused, so their callers hear that nothing changed. A failed write is cut back to where
 * its batch began and the journal goes on (a full disk may free up); when the cut fails too, or
 * an fsync fails, the journal is failed: what is in the file stays in memory too, and every later
 * change is refused until a restart.
 */
final class TakeBack {
  private final SongTable table;
  private final ChangeQueue queue;
  private final ChangeHold hold;
  private final JournalFile file;
  private final Consumer<String> log;

  TakeBack(SongTable table, ChangeQueue queue, ChangeHold hold, JournalFile file,
      Consumer<String> log) {
    this.table = table;
    this.queue = queue;
    this.hold = hold;
    this.file = file;
    this.log = log;
  }

  /**
   * A write failed part way, from {@code start}: cut the file back and take every entry not in
   * it (and every entry queued since, applied after them) back out of memory. If the cut fails
   * too, the entries wholly written stay, in file and memory, and the journal is failed.
   */
  void writeFailed(List<JournalEntry> batch, long start, Exception error) {
    boolean cut;
    try {
      file.cutBack(start);
      cut = true;
    } catch (IOException | RuntimeException e) {
      cut = false;
    }
    long inFile = start;
    if (!cut) {
      try {
        inFile = Files.size(file.path()); // what the file really holds, the failed call's too
      } catch (IOException e) {
        inFile = start + file.accepted();
      }
      file.assume(inFile);
      fail("writing " + file.path() + " failed (" + error + ") and so did cutting the file"
          + " back; the changes wholly written are kept");
    }
    List<JournalEntry> refused = new ArrayList<>();
    for (JournalEntry entry : batch) {
      if (entry.end > inFile) {
        refused.add(entry);
      }
    }
    Outcome refusal = Outcome.refused("storage failed: writing " + file.path() + " failed ("
        + error + "); nothing was changed");
    undo(refused, refusal);
    for (JournalEntry entry : batch) {
      if (!entry.isDone()) { // wholly written before the failure
        entry.complete(entry.force ? Outcome.writtenNotForced(queue.failed())
            : Outcome.ACKNOWLEDGED);
      }
    }
    if (cut) {
      log.accept("playcounter: " + refusal.reason() + " for " + refused.size() + " changes;"
          + " the journal was cut back to byte " + start + " and goes on");
    }
  }

  /**
   * Fails the journal for {@code reason} (the first reason stays) and takes every entry still
   * queued back out of memory.
   */
  void fail(String reason) {
    queue.fail(reason);
    undo(new ArrayList<>(), Outcome.refused(queue.failed() + "; nothing was changed"));
  }

  /**
   * While every change is held off: adds the entries queued meanwhile (applied after
   * {@code entries}) and undoes them all, newest first, then refuses them.
   */
  private void undo(List<JournalEntry> entries, Outcome refusal) {
    hold.hold();
    try {
      entries.addAll(queue.take());
      for (int i = entries.size() - 1; i >= 0; i--) {
        entries.get(i).undo(table);
      }
    } finally {
      hold.release();
    }
    for (JournalEntry entry : entries) {
      entry.complete(refusal);
    }
  }
}
