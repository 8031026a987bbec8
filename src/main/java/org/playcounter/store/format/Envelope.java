package org.playcounter.store.format;

import java.io.IOException;
import java.nio.file.Path;
import java.util.zip.CRC32;

/**
 * Checks the envelope and grammar of one record (or one-song line) of a file read whole into
 * {@code b}, and hands its body lines to a sink once it checked out whole. A record that does not
 * check out (torn, or a CRC that does not match) is reported by -1; one whose CRC matches but
 * whose content is wrong for its kind throws {@link Damage}, naming the file and offset.
 *
 * <p>One instance per thread: the parsed line's parts are fields, so no line allocates.
 */
final class Envelope {
  private static final byte[] BEGIN = {'b', 'e', 'g', 'i', 'n', ' '};
  private static final byte[] END = {'e', 'n', 'd', ' '};
  private static final byte[] KEY = {' ', 'k', 'e', 'y'};
  /** The end line's length: {@code "end "}, 8 hex digits, the line break. */
  static final int END_LINE = 13;
  /** Body line shapes: no lines at all, {@code id n}, {@code id n x}, or either of the two. */
  private static final int NONE = 0;
  private static final int TWO = 2;
  private static final int THREE = 3;
  private static final int TWO_OR_THREE = 5;

  private byte[] b;
  /** The offset in the file of {@code b[0]}: every offset this reports is in the file. */
  private long base;
  private final FileKind fileKind;
  private final Path file;
  private final Header header = new Header();
  private final CRC32 crc = new CRC32();
  private int shape;
  /** The body of the record last checked, {@code b[bodyFrom, bodyTo)}. */
  int bodyFrom;
  int bodyTo;
  /** The parts of the line last parsed: its id, its numbers (x 0 when absent). */
  int idFrom;
  int idLength;
  long n;
  long x;
  /** The body lines of the record last checked, as parsed while checking it. */
  private final BodyLines parsed = new BodyLines();

  Envelope(byte[] b, FileKind fileKind, Path file) {
    this(b, 0, fileKind, file);
  }

  /** A reader of {@code b}, which holds the file's bytes from offset {@code base} on. */
  Envelope(byte[] b, long base, FileKind fileKind, Path file) {
    this.b = b;
    this.base = base;
    this.fileKind = fileKind;
    this.file = file;
  }

  /** Reads {@code b} from now on, which holds the file's bytes from offset {@code base} on. */
  void rebase(byte[] bytes, long offset) {
    this.b = bytes;
    this.base = offset;
    parsed.forget();
  }

  /** The header of the record last checked. */
  Header header() {
    return header;
  }

  /**
   * Checks the record at {@code b[at]}, which ends before {@code to}: returns the offset past
   * its end line when it checked out whole, with {@link #header()} filled in, else -1.
   *
   * @throws IOException ({@link Damage}) when its CRC matches but its content is wrong
   */
  int record(int at, int to) throws IOException {
    Header h = header;
    h.clear();
    h.offset = base + at;
    int eol = Fields.lineEnd(b, at, to);
    long lines = eol < 0 ? -1 : lines(b, at, eol);
    if (lines < 0) {
      return -1;
    }
    int kindTo = Fields.space(b, at + BEGIN.length, eol);
    Kind kind = Kind.of(b, at + BEGIN.length, kindTo);
    h.kind = kind;
    h.lines = lines;
    String problem = kind == null ? null : arguments(Fields.space(b, kindTo + 1, eol), eol);
    if (kind != null && problem == null && shape == NONE && lines > 0) {
      problem = "body lines in a " + kind.word() + " record that takes none";
    }
    int bad = -1;
    int line = eol + 1;
    long idBytes = 0;
    parsed.forget();
    boolean cache = kind != null && problem == null && parsed.start(lines);
    for (long i = 0; i < lines; i++) {
      int end = Fields.lineEnd(b, line, to);
      if (end < 0) {
        return -1;
      }
      if (bad < 0 && kind != null && problem == null && !line(line, end)) {
        bad = line;
      }
      if (cache) {
        parsed.put((int) i, line, idFrom, idLength, n, x);
      }
      idBytes += idLength;
      line = end + 1;
    }
    if (to - line < END_LINE || !Fields.is(b, line, line + END.length, END)
        || b[line + END_LINE - 1] != '\n' || !Fields.isHex(b, line + 4, line + 12, 8)) {
      return -1;
    }
    crc.reset();
    crc.update(b, at, line - at);
    if (Fields.hex(b, line + 4, line + 12) != crc.getValue()) {
      return -1;
    }
    if (kind == null) {
      throw Damage.at(file, base + at, "a record of unknown kind '"
          + Fields.show(b, at + BEGIN.length, kindTo) + "'");
    }
    if (!kind.belongsIn(fileKind)) {
      throw Damage.at(file, base + at, "a " + kind.word() + " record, which belongs in no "
          + fileKind.word() + " file");
    }
    if (problem != null) {
      throw Damage.at(file, base + at, problem);
    }
    if (bad >= 0) {
      throw Damage.at(file, base + bad, "a bad line in a " + kind.word() + " record");
    }
    bodyFrom = eol + 1;
    bodyTo = line;
    h.idBytes = idBytes;
    if (cache) {
      parsed.done(lines);
    }
    return line + END_LINE;
  }

  /** Hands the body lines of {@code b[from, to)}, whole lines of the record last checked. */
  void hand(int from, int to, RecordSink sink) throws IOException {
    if (from == bodyFrom && to == bodyTo && parsed.hand(b, base, sink)) {
      return;
    }
    for (int at = from; at < to; ) {
      int end = Fields.lineEnd(b, at, to);
      line(at, end);
      sink.line(b, idFrom, idLength, n, x, base + at);
      at = end + 1;
    }
  }

  /**
   * Checks the one-song line {@code +id n crc} or {@code -id n crc} at {@code b[at]}: returns the
   * offset past it when it checked out, with its id in {@link #idFrom}, {@link #idLength} and its
   * signed count in {@link #n}, else -1.
   *
   * @throws IOException ({@link Damage}) when its CRC matches but its content is wrong
   */
  int single(int at, int to) throws IOException {
    int eol = Fields.lineEnd(b, at, to);
    int space = eol - 9;
    if (eol < 0 || space <= at || b[space] != ' ' || !Fields.isHex(b, space + 1, eol, 8)) {
      return -1;
    }
    crc.reset();
    crc.update(b, at, space - at);
    if (Fields.hex(b, space + 1, eol) != crc.getValue()) {
      return -1;
    }
    int idTo = Fields.space(b, at + 1, space);
    long count = Fields.number(b, idTo + 1, space);
    if (fileKind != FileKind.JOURNAL) {
      throw Damage.at(file, base + at, "a one-song line in a " + fileKind.word() + " file");
    }
    if (!Fields.isId(b, at + 1, idTo) || count < 1) {
      throw Damage.at(file, base + at, "a bad one-song line");
    }
    idFrom = at + 1;
    idLength = idTo - idFrom;
    n = b[at] == '-' ? -count : count;
    return eol + 1;
  }

  /** LINES of the header {@code begin KIND LINES ...} in {@code b[at, eol)}; -1 if unreadable. */
  static long lines(byte[] b, int at, int eol) {
    if (eol - at < BEGIN.length || !Fields.is(b, at, at + BEGIN.length, BEGIN)) {
      return -1;
    }
    int kindTo = Fields.space(b, at + BEGIN.length, eol);
    return Fields.number(b, kindTo + 1, Fields.space(b, kindTo + 1, eol));
  }

  /**
   * Reads the arguments of the header in {@code b[at, eol)}, {@code at} past LINES, into the
   * header and sets the body lines' shape; returns null, or what is wrong with them.
   */
  private String arguments(int at, int eol) {
    Header h = header;
    shape = TWO;
    switch (h.kind) {
      case PLAYS:
        at = key(at, eol);
        shape = h.keyed ? THREE : TWO;
        break;
      case REMOVES:
        shape = TWO_OR_THREE;
        break;
      case DRAIN:
        at = key(argument(at, eol, 1, 0), eol);
        break;
      case ACK:
        at = argument(at, eol, 1, 0);
        shape = NONE;
        break;
      case SNAPSHOT:
        at = argument(argument(at, eol, 0, 0), eol, 1, 1);
        shape = NONE;
        break;
      case PENDING:
        at = argument(at, eol, 1, 0);
        break;
      case KEY:
        at = argument(Fields.readKey(b, at, eol, h), eol, 0, 0);
        boolean bulk = (h.keyKind & 3) == 1;
        shape = bulk ? TWO : NONE;
        if (bulk && h.a != 0) {
          return "a bulk add's key record with a value " + h.a + " (its answer is its lines)";
        }
        break;
      case LIVE:
        if (at != eol) { // SONGS, the songs of every live record, absent in a snapshot of one
          at = argument(at, eol, 1, 0);
        }
        break;
      default:
        throw new AssertionError(h.kind);
    }
    return at == eol ? null : "bad arguments in the header of a " + h.kind.word() + " record";
  }

  /**
   * Reads the number at least {@code min} that a space at {@code b[at]} opens into the header's
   * {@code a} ({@code slot} 0) or {@code b} (1); returns the offset past it, or -1.
   */
  private int argument(int at, int eol, long min, int slot) {
    int end = Fields.field(b, at, eol);
    long value = end < 0 ? -1 : Fields.number(b, at + 1, end);
    if (value < min) {
      return -1;
    }
    if (slot == 0) {
      header.a = value;
    } else {
      header.b = value;
    }
    return end;
  }

  /** Reads an optional {@code " key T K HI LO FP"} at {@code b[at]}; returns the offset past. */
  private int key(int at, int eol) {
    if (at < 0 || at == eol) {
      return at;
    }
    if (eol - at < KEY.length || !Fields.is(b, at, at + KEY.length, KEY)) {
      return -1;
    }
    return Fields.readKey(b, at + KEY.length, eol, header);
  }

  /** Parses the body line {@code b[from, eol)} into the fields; false if it breaks the shape. */
  private boolean line(int from, int eol) {
    int idTo = Fields.space(b, from, eol);
    int nTo = Fields.field(b, idTo, eol);
    if (nTo < 0 || !Fields.isId(b, from, idTo)) {
      return false;
    }
    long count = Fields.number(b, idTo + 1, nTo);
    long third = nTo == eol ? 0 : Fields.number(b, nTo + 1, eol);
    boolean hasThird = nTo < eol;
    if (count < 1 || third < 0 || (hasThird && third < 1)
        || (hasThird ? shape == TWO : shape == THREE)) {
      return false;
    }
    idFrom = from;
    idLength = idTo - from;
    n = count;
    x = third;
    return true;
  }
}
