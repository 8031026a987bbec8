package org.playcounter.store.journal;

import java.io.IOException;
import org.playcounter.store.format.Kind;
import org.playcounter.store.format.RecordEncoder;
import org.playcounter.store.keys.Key;
import org.playcounter.store.table.Change;
import org.playcounter.store.table.SongCounts;

/**
 * Writes a journal entry in the record grammar ({@link RecordEncoder}): a change of one song
 * without a key as the one-song line, the hot path; anything else as one record, whose kind says
 * what its lines mean. Full buffers go to {@link Flush} on the way, so a record of any size
 * streams through a fixed array.
 */
final class ChangeEncoder {
  private final RecordEncoder out;
  private final Flush flush;

  /** Writes the encoder's full buffer to the file. */
  @FunctionalInterface
  interface Flush {
    void flush() throws IOException;
  }

  ChangeEncoder(RecordEncoder out, Flush flush) {
    this.out = out;
    this.flush = flush;
  }

  /** Formats the entry's change; a flush writes nothing. */
  void encode(JournalEntry entry) throws IOException {
    Change change = entry.change();
    Key key = entry.key;
    if (change instanceof Change.Plays) {
      Change.Plays plays = (Change.Plays) change;
      if (key == null) {
        line(plays.id(), plays.delta());
      } else {
        begin(Kind.PLAYS, 1, 0, key);
        body(plays.id(), plays.delta(), plays.after());
        end();
      }
    } else if (change instanceof Change.Bulk) {
      Change.Bulk bulk = (Change.Bulk) change;
      if (key == null && bulk.ids().length == 1) {
        line(bulk.ids()[0], bulk.deltas()[0]);
        return;
      }
      begin(Kind.PLAYS, bulk.ids().length, 0, key);
      for (int i = 0; i < bulk.ids().length; i++) {
        if (key == null) {
          body(bulk.ids()[i], bulk.deltas()[i], 0);
        } else {
          body(bulk.ids()[i], bulk.deltas()[i], bulk.afters()[i]);
        }
      }
      end();
    } else if (change instanceof Change.Drain) {
      counts(((Change.Drain) change).counts(), Kind.REMOVES, -1);
    } else if (change instanceof Change.PutBack) {
      counts(((Change.PutBack) change).counts(), Kind.PLAYS, 1);
    } else if (change instanceof Change.Removal) {
      removal((Change.Removal) change);
    } else if (change instanceof Change.DrainMade) {
      Change.DrainMade made = (Change.DrainMade) change;
      begin(Kind.DRAIN, made.counts().size(), made.number(), key);
      made.counts().forEach((id, count) -> body(id, count, 0));
      end();
    } else if (change instanceof Change.DrainAcknowledged) {
      begin(Kind.ACK, 0, ((Change.DrainAcknowledged) change).number(), null);
      end();
    } else if (change != null) {
      throw new IllegalStateException("no record for a change of kind " + change.getClass());
    }
  }

  /** A drain's counts, each a line {@code id n} of a record of {@code kind}; one song: a line. */
  private void counts(SongCounts counts, Kind kind, int sign) throws IOException {
    if (counts.size() == 1) {
      counts.forEach((id, count) -> line(id, sign * count));
      return;
    }
    begin(kind, counts.size(), 0, null);
    counts.forEach((id, count) -> body(id, count, 0));
    end();
  }

  /** A song removed: its live count and its part of each pending drain ({@code id n N}). */
  private void removal(Change.Removal removal) throws IOException {
    if (removal.drains().length == 0) {
      line(removal.id(), -removal.live());
      return;
    }
    begin(Kind.REMOVES, removal.drains().length + (removal.live() > 0 ? 1 : 0), 0, null);
    if (removal.live() > 0) {
      body(removal.id(), removal.live(), 0);
    }
    for (int i = 0; i < removal.drains().length; i++) {
      body(removal.id(), removal.counts()[i], removal.drains()[i]);
    }
    end();
  }

  /** A record's first line: its kind and lines, its number when {@code number > 0}, its key. */
  private void begin(Kind kind, long lines, long number, Key key) throws IOException {
    room();
    out.begin(kind, lines);
    if (number > 0) {
      out.arg(number);
    }
    if (key != null) {
      out.key(key.time(), key.kind(), key.hi(), key.lo(), key.fingerprint());
    }
  }

  private void line(String id, long delta) throws IOException {
    room();
    out.line(id, delta);
  }

  /** A body line, {@code id n} or, with {@code x > 0}, {@code id n x}. */
  private void body(String id, long n, long x) throws IOException {
    room();
    if (x > 0) {
      out.body(id, n, x);
    } else {
      out.body(id, n);
    }
  }

  private void end() throws IOException {
    room();
    out.end();
  }

  private void room() throws IOException {
    if (out.full()) {
      flush.flush();
    }
  }
}
