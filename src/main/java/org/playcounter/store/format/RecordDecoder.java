package org.playcounter.store.format;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Decodes a journal read whole into a byte array: its version line, then its one-song lines and
 * records, each checked whole before any of it goes to the sink. Where the records stop checking
 * out (a torn tail, a CRC that does not match) decoding stops and says where, for the caller to
 * decide whether that is a torn tail to cut or damage; a record whose CRC matches but whose
 * content is wrong is damage, thrown at once.
 */
public final class RecordDecoder {
  private final Envelope envelope;

  /** A decoder of files of {@code kind}, reused from one window of {@code file} to the next. */
  public RecordDecoder(FileKind kind, Path file) {
    this.envelope = new Envelope(new byte[0], kind, file);
  }

  /**
   * Decodes the records of b[from, to) (from = just past the version line) into sink, each
   * record checked whole (CRC, line count, every line's grammar for its kind) BEFORE any of it is
   * handed over. Returns {@code to} when every record decoded, or the offset of the first record
   * that does not check out (torn, or a bad CRC), having handed over everything before it.
   *
   * @throws IOException ({@link Damage}) for a record whose CRC matches but whose content is
   *     wrong for its kind: an unknown kind, a bad line or argument, a kind of the other file
   *     kind; or what the sink throws
   */
  public static int decode(byte[] b, int from, int to, FileKind kind, Path file, RecordSink sink)
      throws IOException {
    return decode(b, 0, from, to, kind, file, sink);
  }

  /**
   * The same for {@code b} holding the file's bytes from offset {@code base} on: the offsets
   * handed to the sink and named in damage are the file's, the one returned is {@code b}'s.
   */
  public static int decode(byte[] b, long base, int from, int to, FileKind kind, Path file,
      RecordSink sink) throws IOException {
    return new RecordDecoder(kind, file).decode(b, base, from, to, sink);
  }

  /** The same with this decoder's state, which is kept from one call to the next. */
  public int decode(byte[] b, long base, int from, int to, RecordSink sink) throws IOException {
    envelope.rebase(b, base);
    Header header = envelope.header();
    for (int at = from; at < to; ) {
      int next;
      if (b[at] == '+' || b[at] == '-') {
        next = envelope.single(at, to);
        if (next < 0) {
          return at;
        }
        sink.single(b, envelope.idFrom, envelope.idLength, envelope.n, base + at);
      } else {
        next = envelope.record(at, to);
        if (next < 0) {
          return at;
        }
        sink.begin(header);
        envelope.hand(envelope.bodyFrom, envelope.bodyTo, sink);
        sink.end(header);
      }
      at = next;
    }
    return to;
  }

  /**
   * Where the record (or line) starting at {@code at} that did not check out ends: past its end
   * line when its header is readable and that many lines follow, past its line break when it is
   * a whole line but no record's header (a torn write never ends a header it cannot read), else
   * {@code to}.
   */
  public static int extent(byte[] b, int at, int to) {
    int eol = Fields.lineEnd(b, at, to);
    if (eol < 0) {
      return to;
    }
    if (b[at] != 'b') {
      return eol + 1;
    }
    long lines = Envelope.lines(b, at, eol);
    if (lines < 0) {
      return eol + 1;
    }
    int line = eol + 1;
    for (long i = 0; i <= lines; i++) { // the body lines, then the end line
      int end = Fields.lineEnd(b, line, to);
      if (end < 0) {
        return to;
      }
      line = end + 1;
    }
    return line;
  }

  /**
   * The offset just past the version line of a file of {@code kind}; -1 when the file holds no
   * records: it is empty, or its bytes are a strict prefix of the version line (a crash right
   * after the file was made; the caller writes the line again).
   *
   * @throws IOException naming the version when the file is of another version (a journal with
   *     no version line is of version 2 or older), or {@link Damage} when it is not a file of
   *     this kind at all
   */
  public static int afterVersion(byte[] b, FileKind kind, Path file) throws IOException {
    byte[] line = kind.versionLine();
    int common = 0;
    while (common < Math.min(b.length, line.length) && b[common] == line[common]) {
      common++;
    }
    if (common == line.length) {
      return line.length;
    }
    if (common == b.length || (kind == FileKind.JOURNAL && zeros(b, common, b.length))) {
      return -1; // made just before a crash: a power loss may leave its length, not its bytes
    }
    int word = kind.word().length() + 1;
    if (common < word) {
      if (kind == FileKind.JOURNAL) {
        throw refused(file, "has no version line, so it is a journal of format version 2 or"
            + " older");
      }
      throw Damage.at(file, 0, "not a playcounter snapshot");
    }
    int eol = Fields.lineEnd(b, word, b.length);
    int versionTo = Fields.space(b, word, eol < 0 ? b.length : eol);
    String version = Fields.show(b, word, versionTo);
    if (version.equals(Integer.toString(FileKind.VERSION))) {
      throw Damage.at(file, 0, "a bad version line '" + Fields.show(b, 0, eol < 0 ? b.length
          : eol) + "'");
    }
    throw refused(file, "is a " + (kind == FileKind.JOURNAL ? "journal" : "snapshot")
        + " of format version " + version);
  }

  /** True when {@code b[from, to)} is all zero bytes: what a power loss may leave of a write. */
  public static boolean zeros(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  private static IOException refused(Path file, String what) {
    return new IOException(file + " " + what + "; this playcounter reads version "
        + FileKind.VERSION + " only and refuses to start rather than misread it (move the data"
        + " directory away to start empty)");
  }
}
