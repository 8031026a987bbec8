package org.playcounter.store;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import org.playcounter.wire.SongId;

/**
 * The journal's text, readable with {@code cat} and {@code awk}. A change of one song is one line,
 * {@code +id n crc} for plays added or {@code -id n crc} for a count removed, with a CRC-32 of
 * the line before it in hex. A change of several songs is a frame: a line {@code begin}, one line
 * {@code +id n} or {@code -id n} per song, and a line {@code end lines crc} with the number of
 * song lines and a CRC-32 of all of them. Recovery applies a frame only once its {@code end} line
 * is there and matches, so a change is in the file whole or not at all, at any byte a crash or a
 * power loss cuts it.
 */
final class JournalFormat {
  static final String BEGIN = "begin";
  static final String END = "end ";
  /** The first line of a frame that moves every song of it into pending drain N. */
  static final String DRAIN = "begin drain ";
  /**
   * Ends a frame's first line when the change came with an idempotency key:
   * {@code " key time kind hi lo fingerprint"}, the three hashes in 16 hex digits each.
   */
  static final String KEY = " key ";
  /** The first line of an empty frame that acknowledges pending drain N. */
  static final String ACK = "begin ack ";
  /** The longest line: sign, id, space, 19 digits, space, 8 hex digits, line break. */
  static final int MAX_LINE = 1 + SongId.MAX_LENGTH + 1 + 19 + 1 + 8 + 1;
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private JournalFormat() {}

  /** Formats changes into a byte array that the writer hands to the file when it fills. */
  static final class Encoder {
    private final byte[] bytes;
    private int length;
    private final CRC32 crc = new CRC32();

    Encoder(int capacity) {
      bytes = new byte[capacity];
    }

    byte[] bytes() {
      return bytes;
    }

    int length() {
      return length;
    }

    void clear() {
      length = 0;
    }

    /** True when one more line might not fit. */
    boolean full() {
      return length > bytes.length - 2 * MAX_LINE;
    }

    /** A change of one song: {@code +id n crc}. */
    void single(String id, long delta) {
      int start = length;
      record(id, delta);
      crc.reset();
      crc.update(bytes, start, length - start);
      bytes[length++] = ' ';
      hex(crc.getValue());
      bytes[length++] = '\n';
    }

    void begin() {
      ascii(BEGIN + "\n");
      crc.reset();
    }

    /**
     * A frame's first line; the CRC covers it too unless it is the plain {@code begin} (which
     * it never did, so old journals still read).
     */
    void begin(String header) {
      if (header.equals(BEGIN)) {
        begin();
        return;
      }
      int start = length;
      ascii(header + "\n");
      crc.reset();
      crc.update(bytes, start, length - start);
    }

    /**
     * A song line with a third number: {@code -id n N} for a change of pending drain N, or
     * {@code +id n a} in a keyed frame for the count {@code a} its request was answered.
     */
    void body(String id, long delta, long number) {
      int start = length;
      record(id, delta);
      bytes[length++] = ' ';
      decimal(number);
      bytes[length++] = '\n';
      crc.update(bytes, start, length - start);
    }

    /** One song of a frame; the CRC runs on across flushes of the array. */
    void body(String id, long delta) {
      int start = length;
      record(id, delta);
      bytes[length++] = '\n';
      crc.update(bytes, start, length - start);
    }

    void end(long lines) {
      ascii(END);
      decimal(lines);
      bytes[length++] = ' ';
      hex(crc.getValue());
      bytes[length++] = '\n';
    }

    private void record(String id, long delta) {
      bytes[length++] = (byte) (delta < 0 ? '-' : '+');
      for (int i = 0; i < id.length(); i++) {
        bytes[length++] = (byte) id.charAt(i);
      }
      bytes[length++] = ' ';
      decimal(delta < 0 ? -delta : delta);
    }

    private void decimal(long value) {
      int digits = 1;
      for (long v = value; v >= 10; v /= 10) {
        digits++;
      }
      for (int i = length + digits - 1; i >= length; i--) {
        bytes[i] = (byte) ('0' + value % 10);
        value /= 10;
      }
      length += digits;
    }

    private void hex(long crc32) {
      for (int shift = 28; shift >= 0; shift -= 4) {
        bytes[length++] = HEX[(int) (crc32 >>> shift) & 0xF];
      }
    }

    private void ascii(String text) {
      for (int i = 0; i < text.length(); i++) {
        bytes[length++] = (byte) text.charAt(i);
      }
    }
  }

  /** One song line read back: where its id is in the bytes, and the signed count. */
  static final class Record {
    int idFrom;
    int idLength;
    long delta;
    /**
     * The line's third number, 0 when it has none: the pending drain a {@code -id n N} line
     * applies to, or the answer of a keyed frame's {@code +id n a} line.
     */
    long third;
  }

  /**
   * Parses {@code +id n} or {@code -id n}, maybe with a third number, in {@code b[from, to)};
   * false if it is not one. Which lines may carry a third number is the frame's to say.
   */
  static boolean parseRecord(byte[] b, int from, int to, Record out) {
    if (to - from < 4 || (b[from] != '+' && b[from] != '-')) {
      return false;
    }
    int space = from + 1;
    while (space < to && b[space] != ' ') {
      if (!SongId.isIdChar((char) b[space])) {
        return false;
      }
      space++;
    }
    int valueEnd = space + 1;
    while (valueEnd < to && b[valueEnd] != ' ') {
      valueEnd++;
    }
    long value = number(b, space + 1, valueEnd);
    long third = valueEnd == to ? 0 : number(b, valueEnd + 1, to);
    if (space - from - 1 < 1 || space - from - 1 > SongId.MAX_LENGTH || value < 1
        || (valueEnd < to && third < 1)) {
      return false;
    }
    out.third = third;
    out.idFrom = from + 1;
    out.idLength = space - from - 1;
    out.delta = b[from] == '-' ? -value : value;
    return true;
  }

  /** A decimal number of 1 to 19 digits in {@code b[from, to)} within the long range; else -1. */
  static long number(byte[] b, int from, int to) {
    if (to - from < 1 || to - from > 19) {
      return -1;
    }
    long value = 0;
    for (int i = from; i < to; i++) {
      int digit = b[i] - '0';
      if (digit < 0 || digit > 9 || value > (Long.MAX_VALUE - digit) / 10) {
        return -1;
      }
      value = value * 10 + digit;
    }
    return value;
  }

  /** Parses a change of one song, {@code +id n crc}, checking its CRC. */
  static boolean parseSingle(byte[] b, int from, int to, Record out) {
    int space = to - 9;
    if (space <= from || b[space] != ' ' || hexValue(b, space + 1, to) != crc(b, from, space)) {
      return false;
    }
    return parseRecord(b, from, space, out) && out.third == 0;
  }

  /** The offset of the first line break in {@code b[from, to)}, or -1 when there is none. */
  static int lineEnd(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  /** The CRC-32 of {@code b[from, to)}. */
  static long crc(byte[] b, int from, int to) {
    CRC32 crc = new CRC32();
    crc.update(b, from, to - from);
    return crc.getValue();
  }

  /** {@code value} in 16 lower-case hex digits. */
  static String hex16(long value) {
    String hex = Long.toHexString(value);
    return "0".repeat(16 - hex.length()) + hex;
  }

  /** Reads 16 lower-case hex digits as a long; null if they are not. */
  static Long hex16Value(String text) {
    if (text.length() != 16 || !text.matches("[0-9a-f]{16}")) {
      return null;
    }
    return Long.parseUnsignedLong(text, 16);
  }

  /** Reads 8 lower-case hex digits; -1 if they are not. */
  static long hexValue(byte[] b, int from, int to) {
    if (to - from != 8) {
      return -1;
    }
    long value = 0;
    for (int i = from; i < to; i++) {
      int digit = Character.digit(b[i], 16);
      if (digit < 0 || Character.isUpperCase(b[i])) {
        return -1;
      }
      value = value << 4 | digit;
    }
    return value;
  }

  /** True when {@code b[from, to)} is exactly {@code text}. */
  static boolean is(byte[] b, int from, int to, String text) {
    if (to - from != text.length()) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      if (b[from + i] != text.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** True when {@code b[from, to)} starts with {@code text}. */
  static boolean startsWith(byte[] b, int from, int to, String text) {
    return to - from >= text.length() && is(b, from, from + text.length(), text);
  }
}
