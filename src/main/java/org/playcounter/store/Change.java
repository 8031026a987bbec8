package org.playcounter.store;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One change on its way into the journal: the table records it here under its locks, the
 * journal's writer writes it, and the request waits for {@link #await}. A change with no songs
 * asks only for an fsync.
 */
final class Change implements Recorder {
  private static final int SYNC = 0;
  private static final int ONE = 1;
  private static final int MANY = 2;
  private static final int DRAINED = 3;
  private static final int CREATED = 4;
  private static final int ACKNOWLEDGED = 5;
  private static final int REMOVED = 6;

  private final Journal journal;
  /** True when it must be on disk, not only in the file, before it is acknowledged. */
  final boolean force;
  private int kind = SYNC;
  private String id;
  private long delta;
  private String[] ids;
  private long[] deltas;
  /** The counts after the change, the answers a keyed change records: {@link Recorder#one}. */
  private long[] afters;
  private long after;
  private long[] numbers;
  private Drained drained;
  private int sign;
  private long number;
  private KeyedRequest key;
  private IdempotencyKeys keys;
  /** Set once the journal took it: a change the table never recorded has nothing to wait for. */
  volatile boolean queued;
  /** The file offset just past it once encoded (the writer's own); until then past any. */
  long end = Long.MAX_VALUE;
  private final CompletableFuture<Boolean> done = new CompletableFuture<>();

  Change(Journal journal, boolean force) {
    this.journal = journal;
    this.force = force;
  }

  @Override
  public void one(String id, long delta, long after) {
    this.id = id;
    this.delta = delta;
    this.after = after;
    kind = ONE;
    journal.enqueue(this);
  }

  @Override
  public void many(String[] ids, long[] deltas, long[] afters) {
    this.ids = ids;
    this.deltas = deltas;
    this.afters = afters;
    kind = MANY;
    journal.enqueue(this);
  }

  @Override
  public void drained(Drained drained, int sign) {
    this.drained = drained;
    this.sign = sign;
    kind = DRAINED;
    journal.enqueue(this);
  }

  @Override
  public void drainCreated(long number, Drained drained) {
    this.number = number;
    this.drained = drained;
    kind = CREATED;
    journal.enqueue(this);
  }

  @Override
  public void acknowledged(long number, Drained drained) {
    this.number = number;
    this.drained = drained;
    kind = ACKNOWLEDGED;
    journal.enqueue(this);
  }

  @Override
  public void removed(String id, long live, long[] numbers, long[] counts) {
    this.id = id;
    this.delta = live;
    this.ids = null;
    this.numbers = numbers;
    this.deltas = counts;
    kind = REMOVED;
    journal.enqueue(this);
  }

  /** Formats it, handing full buffers to {@code flush} on the way. */
  void encode(JournalFormat.Encoder out, Flush flush) throws IOException {
    switch (kind) {
      case ONE -> {
        if (key == null) {
          line(out, flush, id, delta);
          return;
        }
        out.begin(JournalFormat.BEGIN + keyHeader());
        answered(out, flush, id, delta, after);
        end(out, flush, 1);
      }
      case MANY -> {
        if (key != null) {
          out.begin(JournalFormat.BEGIN + keyHeader());
          for (int i = 0; i < ids.length; i++) {
            answered(out, flush, ids[i], deltas[i], afters[i]);
          }
          end(out, flush, ids.length);
          return;
        }
        if (ids.length == 1) {
          line(out, flush, ids[0], deltas[0]);
          return;
        }
        out.begin();
        for (int i = 0; i < ids.length; i++) {
          body(out, flush, ids[i], deltas[i]);
        }
        end(out, flush, ids.length);
      }
      case DRAINED -> {
        if (drained.size() == 1) {
          drained.forEach((song, count) -> line(out, flush, song, sign * count));
          return;
        }
        out.begin();
        drained.forEach((song, count) -> body(out, flush, song, sign * count));
        end(out, flush, drained.size());
      }
      case CREATED -> {
        out.begin(JournalFormat.DRAIN + number + (key == null ? "" : keyHeader()));
        drained.forEach((song, count) -> body(out, flush, song, -count));
        end(out, flush, drained.size());
      }
      case ACKNOWLEDGED -> {
        out.begin(JournalFormat.ACK + number);
        end(out, flush, 0);
      }
      case REMOVED -> {
        out.begin(JournalFormat.BEGIN);
        if (delta > 0) {
          body(out, flush, id, -delta);
        }
        for (int i = 0; i < numbers.length; i++) {
          if (out.full()) {
            flush.flush();
          }
          out.body(id, -deltas[i], numbers[i]);
        }
        end(out, flush, numbers.length + (delta > 0 ? 1 : 0));
      }
      default -> { } // an fsync request writes nothing
    }
  }

  private static void line(JournalFormat.Encoder out, Flush flush, String id, long delta)
      throws IOException {
    if (out.full()) {
      flush.flush();
    }
    out.single(id, delta);
  }

  private static void body(JournalFormat.Encoder out, Flush flush, String id, long delta)
      throws IOException {
    if (out.full()) {
      flush.flush();
    }
    out.body(id, delta);
  }

  /** A song line of a keyed change with the count its request was answered: {@code +id n a}. */
  private static void answered(JournalFormat.Encoder out, Flush flush, String id, long delta,
      long after) throws IOException {
    if (out.full()) {
      flush.flush();
    }
    out.body(id, delta, after);
  }

  private static void end(JournalFormat.Encoder out, Flush flush, long lines) throws IOException {
    if (out.full()) {
      flush.flush();
    }
    out.end(lines);
  }

  /** The key's part of a frame's first line: {@code " key time kind hi lo fingerprint"}. */
  private String keyHeader() {
    return JournalFormat.KEY + key.time + " " + key.kind + " " + JournalFormat.hex16(key.hi)
        + " " + JournalFormat.hex16(key.lo) + " " + JournalFormat.hex16(key.fingerprint);
  }

  /**
   * Records the change with the idempotency key {@code key} of {@code keys}: in the same frame,
   * and taken back with it.
   */
  Change withKey(KeyedRequest key, IdempotencyKeys keys) {
    this.key = key;
    this.keys = keys;
    return this;
  }

  /** Takes it back out of the table, which still holds it: it never reached the file. */
  void revert(SongTable table) {
    if (key != null) {
      keys.unanswer(key.hi, key.lo);
    }
    switch (kind) {
      case ONE -> table.revert(id, delta);
      case MANY -> {
        for (int i = 0; i < ids.length; i++) {
          table.revert(ids[i], deltas[i]);
        }
      }
      case DRAINED -> drained.forEach((song, count) -> table.revert(song, sign * count));
      case CREATED -> table.revertCreate(number, drained);
      case ACKNOWLEDGED -> table.revertAcknowledge(number, drained);
      case REMOVED -> table.revertRemoval(id, delta, numbers, deltas);
      default -> { }
    }
  }

  /** It is in the file; {@code forced} tells whether it is on disk as its mode asks. */
  void recorded(boolean forced) {
    done.complete(forced);
  }

  /** It is not in the file and was taken out of memory: the client is told nothing changed. */
  void refused(StorageFailedException e) {
    done.completeExceptionally(e);
  }

  boolean isDone() {
    return done.isDone();
  }

  /**
   * Waits, without giving in to interrupts, until the journal has dealt with it. Returns true
   * when it is recorded with the durability asked for, false when it is in the file (and in
   * memory) but could not be forced to disk.
   *
   * @throws StorageFailedException when it was not recorded and memory no longer holds it
   */
  boolean await() {
    if (!queued) {
      return true; // the table recorded nothing (a put-back with no room for any song)
    }
    journal.commit(this);
    try {
      return done.join();
    } catch (CompletionException e) {
      throw new StorageFailedException(e.getCause().getMessage());
    }
  }

  /**
   * Has {@code acknowledgement} hear {@code result} once the journal is done with this change,
   * without waiting: the journal's own thread writes it, with whatever else is queued. Recorded
   * but not forced counts as refused, with {@code notForced} as the reason.
   */
  <T> void whenDone(T result, Acknowledgement<T> acknowledgement, String notForced) {
    if (!queued) {
      done.complete(true);
    }
    done.whenComplete((forced, error) -> {
      if (error != null) {
        Throwable cause = error instanceof CompletionException ? error.getCause() : error;
        acknowledgement.done(null, new StorageFailedException(cause.getMessage()));
      } else if (!forced) {
        acknowledgement.done(null, new StorageFailedException(notForced));
      } else {
        acknowledgement.done(result, null);
      }
    });
    journal.wakeWriter();
  }

  /** Writes the encoder's full buffer to the file. */
  @FunctionalInterface
  interface Flush {
    void flush() throws IOException;
  }
}
