package org.playcounter.store.format;

import java.nio.charset.StandardCharsets;
import org.playcounter.wire.SongId;

/**
 * Reads and writes the fields of the format's lines in place, in ASCII bytes: decimal numbers,
 * lower-case hex, song ids and the five fields of an idempotency key. Readers return -1 (or
 * false) for a field that is not one, and never throw.
 */
final class Fields {
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private Fields() {}

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

  /** True when {@code b[from, to)} is {@code digits} lower-case hex digits. */
  static boolean isHex(byte[] b, int from, int to, int digits) {
    if (to - from != digits) {
      return false;
    }
    for (int i = from; i < to; i++) {
      if (!((b[i] >= '0' && b[i] <= '9') || (b[i] >= 'a' && b[i] <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  /** The value of the hex digits {@code b[from, to)}, which {@link #isHex} accepted. */
  static long hex(byte[] b, int from, int to) {
    long value = 0;
    for (int i = from; i < to; i++) {
      value = value << 4 | (b[i] <= '9' ? b[i] - '0' : b[i] - 'a' + 10);
    }
    return value;
  }

  /** Writes {@code value} in decimal at {@code b[at]} and returns the offset past it. */
  static int writeNumber(byte[] b, int at, long value) {
    int digits = 1;
    for (long v = value; v >= 10; v /= 10) {
      digits++;
    }
    for (int i = at + digits - 1; i >= at; i--) {
      b[i] = (byte) ('0' + value % 10);
      value /= 10;
    }
    return at + digits;
  }

  /** Writes the low {@code digits * 4} bits of {@code value} in hex and returns the offset past. */
  static int writeHex(byte[] b, int at, long value, int digits) {
    for (int shift = 4 * (digits - 1); shift >= 0; shift -= 4) {
      b[at++] = HEX[(int) (value >>> shift) & 0xF];
    }
    return at;
  }

  /**
   * Writes an idempotency key's five fields at {@code b[at]}, {@code " T K HI LO FP"} (each
   * after a space), and returns the offset past them: the one writer of keys, in journals and
   * snapshots alike.
   */
  static int writeKey(byte[] b, int at, long time, int kind, long hi, long lo, long fingerprint) {
    b[at++] = ' ';
    at = writeNumber(b, at, time);
    b[at++] = ' ';
    at = writeNumber(b, at, kind);
    b[at++] = ' ';
    at = writeHex(b, at, hi, 16);
    b[at++] = ' ';
    at = writeHex(b, at, lo, 16);
    b[at++] = ' ';
    return writeHex(b, at, fingerprint, 16);
  }

  /**
   * Reads the five fields {@link #writeKey} wrote, {@code " T K HI LO FP"}, at {@code b[at]}
   * before the line's end {@code eol} into {@code h}; returns the offset past them, or -1 when
   * they are not there: the one reader of keys.
   */
  static int readKey(byte[] b, int at, int eol, Header h) {
    int timeTo = field(b, at, eol);
    int kindTo = field(b, timeTo, eol);
    int hiTo = field(b, kindTo, eol);
    int loTo = field(b, hiTo, eol);
    int fingerprintTo = field(b, loTo, eol);
    if (fingerprintTo < 0) {
      return -1;
    }
    long time = number(b, at + 1, timeTo);
    long kind = number(b, timeTo + 1, kindTo);
    if (time < 0 || kind < 0 || kind > 63 || !isHex(b, kindTo + 1, hiTo, 16)
        || !isHex(b, hiTo + 1, loTo, 16) || !isHex(b, loTo + 1, fingerprintTo, 16)) {
      return -1;
    }
    h.keyed = true;
    h.time = time;
    h.keyKind = (int) kind;
    h.hi = hex(b, kindTo + 1, hiTo);
    h.lo = hex(b, hiTo + 1, loTo);
    h.fingerprint = hex(b, loTo + 1, fingerprintTo);
    return fingerprintTo;
  }

  /**
   * The end of the field that a space at {@code b[at]} opens (the next space or {@code eol}), or
   * -1 when {@code at} is -1, at {@code eol} or not a space.
   */
  static int field(byte[] b, int at, int eol) {
    if (at < 0 || at >= eol || b[at] != ' ') {
      return -1;
    }
    return space(b, at + 1, eol);
  }

  /** The offset of the first space in {@code b[from, to)}, or {@code to} when there is none. */
  static int space(byte[] b, int from, int to) {
    int i = from;
    while (i < to && b[i] != ' ') {
      i++;
    }
    return i;
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

  /** True when {@code b[from, to)} is a song id: 1 to 128 characters that {@link SongId} allows. */
  static boolean isId(byte[] b, int from, int to) {
    if (to - from < 1 || to - from > SongId.MAX_LENGTH) {
      return false;
    }
    for (int i = from; i < to; i++) {
      if (!ID_BYTES[b[i] & 0xFF]) {
        return false;
      }
    }
    return true;
  }

  /** {@link SongId#isIdChar} for every byte value, looked up rather than worked out per byte. */
  private static final boolean[] ID_BYTES = new boolean[256];

  static {
    for (int c = 0; c < 256; c++) {
      ID_BYTES[c] = c < 128 && SongId.isIdChar((char) c);
    }
  }

  /** True when {@code b[from, to)} is exactly {@code text}. */
  static boolean is(byte[] b, int from, int to, byte[] text) {
    if (to - from != text.length) {
      return false;
    }
    for (int i = 0; i < text.length; i++) {
      if (b[from + i] != text[i]) {
        return false;
      }
    }
    return true;
  }

  /** {@code b[from, to)} for a message: at most 40 characters, anything unprintable as '?'. */
  static String show(byte[] b, int from, int to) {
    StringBuilder text = new StringBuilder();
    for (int i = from; i < Math.min(to, from + 40); i++) {
      text.append(b[i] >= ' ' && b[i] < 0x7f ? (char) b[i] : '?');
    }
    return text.toString();
  }
}
