package org.playcounter.store.format;

import java.io.IOException;

/**
 * The body lines of the record an {@link Envelope} checked last, kept as they were parsed while
 * checking it (each line's offset, its id's offset and length, its numbers) so that handing them
 * over does not parse them again. Records of more than {@link #MOST} lines are not kept: they are
 * parsed again instead, so the arrays stay a few megabytes. Reused from record to record.
 */
final class BodyLines {
  /** The most lines kept: a snapshot's live record, a bulk add of that many songs. */
  static final int MOST = 1 << 16;

  private int[] starts = new int[0];
  private int[] ids = new int[0];
  private int[] idLengths = new int[0];
  private long[] ns = new long[0];
  private long[] xs = new long[0];
  /** Lines kept of the last record; -1 when it was not kept. */
  private int kept = -1;

  /** Starts keeping the lines of a record of {@code lines}; false when it has too many. */
  boolean start(long lines) {
    kept = -1;
    if (lines > MOST) {
      return false;
    }
    if (starts.length < lines) {
      int room = (int) Math.min(MOST, Math.max(lines, starts.length * 2L));
      starts = new int[room];
      ids = new int[room];
      idLengths = new int[room];
      ns = new long[room];
      xs = new long[room];
    }
    return true;
  }

  /** Keeps line {@code i}, parsed. */
  void put(int i, int start, int id, int idLength, long n, long x) {
    starts[i] = start;
    ids[i] = id;
    idLengths[i] = idLength;
    ns[i] = n;
    xs[i] = x;
  }

  /** The record's {@code lines} lines are all kept. */
  void done(long lines) {
    kept = (int) lines;
  }

  /** Forgets the lines kept: the buffer they point into is gone. */
  void forget() {
    kept = -1;
  }

  /**
   * Hands the lines kept of {@code b} (the file's bytes from {@code base}) to {@code sink};
   * false, and nothing handed, when they were not kept.
   */
  boolean hand(byte[] b, long base, RecordSink sink) throws IOException {
    if (kept < 0) {
      return false;
    }
    for (int i = 0; i < kept; i++) {
      sink.line(b, ids[i], idLengths[i], ns[i], xs[i], base + starts[i]);
    }
    return true;
  }
}
