package org.playcounter.store.format;

import java.util.zip.CRC32;

/**
 * Formats one-song lines and records into a byte array that the caller writes out (to a file) as
 * it fills, with no allocation per line. A record's CRC runs on across {@link #clear()}, so the
 * caller writes the array out whenever {@link #full()} says so and carries on with the same
 * record. Misuse (a body line outside a record, more or fewer lines than declared, a count out
 * of range) throws {@link IllegalStateException} or {@link IllegalArgumentException}; ids are
 * the caller's to check, as the encoder is on the hot path.
 */
public final class RecordEncoder {
  /** Room for the longest line there is (a keyed header, a body line of a 128-char id). */
  static final int MAX_LINE = 256;
  private static final int MIN_CAPACITY = 2 * MAX_LINE;
  private static final byte[] BEGIN = {'b', 'e', 'g', 'i', 'n', ' '};
  private static final byte[] KEY = {' ', 'k', 'e', 'y'};
  private static final byte[] END = {'e', 'n', 'd', ' '};

  private final byte[] bytes;
  private int length;
  private final CRC32 crc = new CRC32();
  /** Where the open record's bytes not yet in {@link #crc} start. */
  private int crcFrom;
  /** The open record's kind, null between records. */
  private Kind kind;
  private boolean headerOpen;
  private long declared;
  private long written;

  /** An encoder whose array holds {@code capacity} bytes, at least two of the longest lines. */
  public RecordEncoder(int capacity) {
    if (capacity < MIN_CAPACITY) {
      throw new IllegalArgumentException("capacity < " + MIN_CAPACITY + ": " + capacity);
    }
    bytes = new byte[capacity];
  }

  /** The array, whose first {@link #length()} bytes are the text formatted since the clear. */
  public byte[] bytes() {
    return bytes;
  }

  public int length() {
    return length;
  }

  /** Empties the array once the caller has written it out; an open record carries on. */
  public void clear() {
    if (kind != null) {
      crc.update(bytes, crcFrom, length - crcFrom);
      crcFrom = 0;
    }
    length = 0;
  }

  /**
   * Drops everything formatted since the last clear, an open record too: for a write that failed
   * part way and is formatted again from its start.
   */
  public void reset() {
    kind = null;
    headerOpen = false;
    declared = 0;
    written = 0;
    crcFrom = 0;
    crc.reset();
    length = 0;
  }

  /** True when the longest line (a header with a key, or a body line) might not fit. */
  public boolean full() {
    return length > bytes.length - 2 * MAX_LINE;
  }

  /** The version line that opens every file of {@code file}'s kind. */
  public void version(FileKind file) {
    closed();
    byte[] line = file.versionLine();
    System.arraycopy(line, 0, bytes, length, line.length);
    length += line.length;
  }

  /** A one-song line: {@code "+id n crc"} for delta {@code n > 0}, {@code "-id n crc"} for -n. */
  public void line(String id, long delta) {
    closed();
    if (delta == 0 || delta == Long.MIN_VALUE) {
      throw new IllegalArgumentException("delta out of range: " + delta);
    }
    int start = length;
    bytes[length++] = (byte) (delta < 0 ? '-' : '+');
    id(id);
    bytes[length++] = ' ';
    length = Fields.writeNumber(bytes, length, Math.abs(delta));
    crc.reset();
    crc.update(bytes, start, length - start);
    bytes[length++] = ' ';
    length = Fields.writeHex(bytes, length, crc.getValue(), 8);
    bytes[length++] = '\n';
  }

  /** Starts a record, {@code "begin kind lines"}, and its CRC; its arguments come next. */
  public void begin(Kind kind, long lines) {
    closed();
    if (lines < 0) {
      throw new IllegalArgumentException("lines < 0: " + lines);
    }
    this.kind = kind;
    headerOpen = true;
    declared = lines;
    written = 0;
    crc.reset();
    crcFrom = length;
    length = put(BEGIN);
    kind.write(bytes, length);
    length += kind.length();
    bytes[length++] = ' ';
    length = Fields.writeNumber(bytes, length, lines);
  }

  /** Appends {@code " n"} to the header: N, G, D or V, as the kind takes them. */
  public void arg(long n) {
    header();
    if (n < 0) {
      throw new IllegalArgumentException("argument < 0: " + n);
    }
    bytes[length++] = ' ';
    length = Fields.writeNumber(bytes, length, n);
  }

  /**
   * Appends a key to the header, {@code " key T K HI LO FP"} for plays and drain; for
   * {@link Kind#KEY}, whose kind word says it, the five fields alone.
   */
  public void key(long time, int kind, long hi, long lo, long fingerprint) {
    header();
    if (time < 0 || kind < 0 || kind > 63) {
      throw new IllegalArgumentException("bad key: time " + time + ", kind " + kind);
    }
    if (this.kind != Kind.KEY) {
      length = put(KEY);
    }
    length = Fields.writeKey(bytes, length, time, kind, hi, lo, fingerprint);
  }

  /** A body line {@code "id n"}, ending the header line first if it is still open. */
  public void body(String id, long n) {
    bodyStart(id, n);
    bytes[length++] = '\n';
  }

  /** A body line {@code "id n x"}, ending the header line first if it is still open. */
  public void body(String id, long n, long x) {
    bodyStart(id, n);
    if (x < 1) {
      throw new IllegalArgumentException("x < 1: " + x);
    }
    bytes[length++] = ' ';
    length = Fields.writeNumber(bytes, length, x);
    bytes[length++] = '\n';
  }

  /** Ends the record: its header if still open, then {@code "end crc"}. */
  public void end() {
    if (kind == null) {
      throw new IllegalStateException("no record is open");
    }
    if (written != declared) {
      throw new IllegalStateException("the " + kind.word() + " record declared " + declared
          + " lines but has " + written);
    }
    endHeader();
    crc.update(bytes, crcFrom, length - crcFrom);
    kind = null;
    length = put(END);
    length = Fields.writeHex(bytes, length, crc.getValue(), 8);
    bytes[length++] = '\n';
  }

  private void bodyStart(String id, long n) {
    if (kind == null) {
      throw new IllegalStateException("a body line outside a record");
    }
    if (n < 1) {
      throw new IllegalArgumentException("n < 1: " + n);
    }
    if (written == declared) {
      throw new IllegalStateException("the " + kind.word() + " record declared only " + declared
          + " lines");
    }
    written++;
    endHeader();
    id(id);
    bytes[length++] = ' ';
    length = Fields.writeNumber(bytes, length, n);
  }

  private void endHeader() {
    if (headerOpen) {
      headerOpen = false;
      bytes[length++] = '\n';
    }
  }

  private void header() {
    if (!headerOpen) {
      throw new IllegalStateException("no record header is open");
    }
  }

  private void closed() {
    if (kind != null) {
      throw new IllegalStateException("the " + kind.word() + " record is still open");
    }
  }

  private void id(String id) {
    for (int i = 0; i < id.length(); i++) {
      bytes[length++] = (byte) id.charAt(i);
    }
  }

  private int put(byte[] text) {
    System.arraycopy(text, 0, bytes, length, text.length);
    return length + text.length;
  }
}
