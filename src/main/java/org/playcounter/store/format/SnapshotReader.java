package org.playcounter.store.format;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a snapshot front to back through a {@link FileWindow}, each record checked whole before
 * it is handed over, and the records' order checked: the snapshot record, pending drains by
 * ascending number, keys, then the live records, nothing after them. The live songs come in
 * records of at most {@link SnapshotWriter#LIVE_LINES} lines, each naming the songs of them all
 * ({@code begin live LINES SONGS}), so that the reader can make room for every song at once and
 * never holds more than a record; a snapshot of one live record without SONGS (as written before
 * the records were split) reads too. A torn, flipped or misordered snapshot throws
 * {@link Damage}; one of another version is refused naming it.
 */
public final class SnapshotReader {
  private SnapshotReader() {}

  /**
   * Reads dir/snapshot into sink (begin/line/end per record, Header filled: SNAPSHOT with a=G
   * b=D, PENDING a=N, KEY with the key fields, a=V; LIVE a=SONGS, 0 when not given, in the first
   * live record at most the songs the rest of the file can hold), on the
   * calling thread; returns the generation covered, 0 when there is no snapshot.
   *
   * @throws IOException ({@link Damage}) naming the file and offset of any damage, or naming the
   *     version of a snapshot of another format version
   */
  public static long read(Path dir, RecordSink sink) throws IOException {
    return read(dir, sink, FileWindow.INITIAL);
  }

  /** The same through a window of {@code window} bytes at first, for tests of its edges. */
  static long read(Path dir, RecordSink sink, int window) throws IOException {
    Path file = DataDirectory.snapshot(dir);
    if (!Files.exists(file)) {
      return 0;
    }
    try (FileWindow w = FileWindow.open(file, window)) {
      return read(w, file, sink);
    }
  }

  private static long read(FileWindow w, Path file, RecordSink sink) throws IOException {
    int at = RecordDecoder.afterVersion(w.head(), FileKind.SNAPSHOT, file);
    if (at < 0) {
      throw Damage.at(file, w.to(), "a snapshot cut short in its version line");
    }
    Envelope envelope = new Envelope(w.bytes(), w.base(), FileKind.SNAPSHOT, file);
    long covered = -1;
    long lastPending = 0;
    long songs = -1; // declared by the first live record; 0 when it declared none
    long liveLines = 0;
    int order = 0; // of the last record's kind: 1 snapshot, 2 pending, 3 key, 4 live
    while (true) {
      if (at == w.to()) {
        if (!w.more(at)) {
          break;
        }
        at = 0;
        envelope.rebase(w.bytes(), w.base());
      }
      int next = envelope.record(at, w.to());
      if (next < 0) {
        if (w.more(at)) { // it may only be cut off by the window's end
          at = 0;
          envelope.rebase(w.bytes(), w.base());
          continue;
        }
        throw Damage.at(file, w.base() + at, order == 4 && (songs == 0 || liveLines == songs)
            ? "bytes after the snapshot's live records"
            : "a torn record, or one whose checksum does not match");
      }
      Header header = envelope.header();
      int kindOrder = order(header.kind);
      if (order == 0 && kindOrder != 1) {
        throw Damage.at(file, header.offset, "a snapshot that does not begin with its snapshot"
            + " record");
      }
      if (kindOrder < order || (order > 0 && kindOrder == 1)
          || (header.kind == Kind.PENDING && header.a <= lastPending)) {
        throw Damage.at(file, header.offset, "a " + header.kind.word() + " record out of order");
      }
      if (header.kind == Kind.LIVE) {
        if (songs < 0) {
          songs = header.a;
          // the sink makes room for SONGS at once: never for more than the file can still
          // hold, a line of at least "a 1\n" each (a total that does not add up is refused at
          // the end)
          header.a = Math.min(header.a, header.lines + (w.size() - (w.base() + next)) / 4);
        } else if (songs == 0 || header.a != songs || liveLines == songs) {
          throw Damage.at(file, header.offset, "a live record after the last one (the first"
              + " declared " + songs + " songs in all, this one " + header.a + ")");
        }
        liveLines += header.lines;
        if (songs > 0 && liveLines > songs) {
          throw Damage.at(file, header.offset, "live records of more than the " + songs
              + " songs the first declared");
        }
      }
      order = kindOrder;
      if (header.kind == Kind.SNAPSHOT) {
        covered = header.a;
      } else if (header.kind == Kind.PENDING) {
        lastPending = header.a;
      }
      sink.begin(header);
      envelope.hand(envelope.bodyFrom, envelope.bodyTo, sink);
      sink.end(header);
      at = next;
    }
    if (order != 4) {
      throw Damage.at(file, w.base() + w.to(), "a snapshot that ends without its live record");
    }
    if (songs > 0 && liveLines != songs) {
      throw Damage.at(file, w.base() + w.to(), "a snapshot that ends after " + liveLines
          + " of the " + songs + " live songs its live records declared");
    }
    return covered;
  }

  private static int order(Kind kind) {
    switch (kind) {
      case SNAPSHOT:
        return 1;
      case PENDING:
        return 2;
      case KEY:
        return 3;
      case LIVE:
        return 4;
      default:
        throw new AssertionError(kind); // journal kinds are damage in a snapshot already
    }
  }
}
