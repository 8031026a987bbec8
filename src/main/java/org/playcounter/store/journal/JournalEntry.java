package org.playcounter.store.journal;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.playcounter.store.keys.Key;
import org.playcounter.store.keys.KeyTable;
import org.playcounter.store.table.Change;
import org.playcounter.store.table.SongTable;

/**
 * One change on its way into a {@link Journal}: the table records it here under its locks, which
 * queues it; the group commit writes it, and the caller hears its {@link Outcome}. An entry
 * with no change (a flush) asks only for the writes before it to be forced.
 */
final class JournalEntry implements Entry {
  private final ChangeQueue queue;
  private final GroupCommit commit;
  /** True when it must be on disk, not only in the file, before it is acknowledged. */
  final boolean force;
  /** The key recorded with the change, or null. */
  final Key key;
  private final KeyTable keys;
  /** The change, once recorded; null for a flush. */
  private volatile Change change;
  /** Set once the queue took it: an entry the table recorded nothing into has nothing to wait for. */
  private volatile boolean queued;
  /** The file offset just past it once encoded (the writer's own); until then past any. */
  long end = Long.MAX_VALUE;
  private final CompletableFuture<Outcome> done = new CompletableFuture<>();

  JournalEntry(ChangeQueue queue, GroupCommit commit, boolean force, Key key, KeyTable keys) {
    this.queue = queue;
    this.commit = commit;
    this.force = force;
    this.key = key;
    this.keys = keys;
  }

  /** Queues the change; throws {@link LogRefusal} when the journal takes nothing. */
  @Override
  public void record(Change recorded) {
    this.change = recorded;
    queue.enqueue(this);
    queued = true;
  }

  /** Queues the entry as a flush: nothing to write, everything before it to force. */
  void queueFlush() {
    queue.enqueue(this);
    queued = true;
  }

  /** The change; null for a flush. */
  Change change() {
    return change;
  }

  /**
   * Takes the change back out of memory, which still holds it, and its key's answer with it:
   * it never reached the file. Called while every change is held off, newest first.
   */
  void undo(SongTable table) {
    if (key != null) {
      keys.unanswer(key.hi(), key.lo());
    }
    if (change != null) {
      change.undo(table);
    }
  }

  /** The journal is done with it. */
  void complete(Outcome outcome) {
    done.complete(outcome);
  }

  boolean isDone() {
    return done.isDone();
  }

  @Override
  public Outcome await() {
    if (!queued) {
      return Outcome.ACKNOWLEDGED; // the table recorded nothing (a put-back with no room)
    }
    commit.commit(this);
    return done.join();
  }

  @Override
  public void whenDone(Consumer<Outcome> then) {
    if (!queued) {
      done.complete(Outcome.ACKNOWLEDGED);
    }
    done.thenAccept(then);
    queue.wakeWriter();
  }
}
