package org.playcounter.store.format;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a snapshot: the file read whole into a byte array and parsed as bytes, each record
 * checked whole before it is handed over, and the records' order checked (the snapshot record,
 * pending drains by ascending number, keys, exactly one live record, nothing after it). A torn,
 * flipped or misordered snapshot throws {@link Damage}; one of another version is refused naming
 * it.
 */
public final class SnapshotReader {
  /** The group of a song given as bytes: lines of one group never go to two threads at once. */
  @FunctionalInterface
  public interface IdGroups {
    int of(byte[] b, int idFrom, int idLength);
  }

  private SnapshotReader() {}

  /**
   * Reads dir/snapshot into sink (begin/line/end per record, Header filled: SNAPSHOT with a=G
   * b=D, PENDING a=N, KEY with the key fields, a=V; LIVE); returns the generation covered, 0 when
   * there is no snapshot.
   *
   * <p>The LIVE record's lines may be handed to {@code sink.line} from two threads at once when
   * the record has more than 100,000 lines, split near the middle at a change of group, never
   * two lines of the same group from two threads (lines come group by group, as the store writes
   * them; when they do not, one thread reads them all); the LIVE begin() comes before and end()
   * after both.
   *
   * @throws IOException ({@link Damage}) naming the file and offset of any damage, or naming the
   *     version of a snapshot of another format version
   */
  public static long read(Path dir, RecordSink sink, IdGroups groups) throws IOException {
    Path file = DataDirectory.snapshot(dir);
    if (!Files.exists(file)) {
      return 0;
    }
    byte[] b = Files.readAllBytes(file);
    int at = RecordDecoder.afterVersion(b, FileKind.SNAPSHOT, file);
    if (at < 0) {
      throw Damage.at(file, b.length, "a snapshot cut short in its version line");
    }
    Envelope envelope = new Envelope(b, FileKind.SNAPSHOT, file);
    Header header = envelope.header();
    long covered = -1;
    long lastPending = 0;
    int order = 0; // of the last record's kind: 1 snapshot, 2 pending, 3 key, 4 live
    while (at < b.length) {
      if (order == 4) {
        throw Damage.at(file, at, "bytes after the snapshot's live record");
      }
      int next = envelope.record(at, b.length);
      if (next < 0) {
        throw Damage.at(file, at, "a torn record, or one whose checksum does not match");
      }
      int kindOrder = order(header.kind);
      if (order == 0 && kindOrder != 1) {
        throw Damage.at(file, at, "a snapshot that does not begin with its snapshot record");
      }
      if (kindOrder < order || (order > 0 && kindOrder == 1)
          || (header.kind == Kind.PENDING && header.a <= lastPending)) {
        throw Damage.at(file, at, "a " + header.kind.word() + " record out of order");
      }
      order = kindOrder;
      if (header.kind == Kind.SNAPSHOT) {
        covered = header.a;
      } else if (header.kind == Kind.PENDING) {
        lastPending = header.a;
      }
      sink.begin(header);
      if (header.kind == Kind.LIVE && header.lines > LiveHalves.TWO_THREADS) {
        LiveHalves.hand(envelope, b, sink, groups, file);
      } else {
        envelope.hand(envelope.bodyFrom, envelope.bodyTo, sink);
      }
      sink.end(header);
      at = next;
    }
    if (order != 4) {
      throw Damage.at(file, b.length, "a snapshot that ends without its live record");
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
