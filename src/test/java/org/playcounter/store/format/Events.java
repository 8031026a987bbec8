package org.playcounter.store.format;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A sink that writes down what it is handed as one line of text per call, for tests to compare
 * with what was encoded; it may be called from two threads at once.
 */
final class Events implements RecordSink {
  /** Sees each body line's id as it is handed over, on the thread handing it. */
  @FunctionalInterface
  interface Watch {
    void id(byte[] b, int idFrom, int idLength);
  }

  final List<String> seen = Collections.synchronizedList(new ArrayList<>());
  private final Watch watch;

  Events() {
    this((b, from, length) -> {});
  }

  Events(Watch watch) {
    this.watch = watch;
  }

  @Override
  public void single(byte[] b, int idFrom, int idLength, long delta, long offset) {
    seen.add(single(ascii(b, idFrom, idLength), delta, offset));
  }

  @Override
  public void begin(Header h) {
    seen.add(begin(h.kind, h.lines, h.offset, h.a, h.b, h.keyed, h.time, h.keyKind, h.hi, h.lo,
        h.fingerprint));
  }

  @Override
  public void line(byte[] b, int idFrom, int idLength, long n, long x, long offset) {
    if (offset < idFrom) { // the file's offset of the line; idFrom is in the reader's buffer
      throw new AssertionError("a body line's offset " + offset + " before its id's " + idFrom);
    }
    watch.id(b, idFrom, idLength);
    seen.add(line(ascii(b, idFrom, idLength), n, x));
  }

  @Override
  public void end(Header h) {
    seen.add("end " + h.kind);
  }

  static String single(String id, long delta, long offset) {
    return "single " + id + " " + delta + " @" + offset;
  }

  static String begin(Kind kind, long lines, long offset, long a, long b, boolean keyed,
      long time, int keyKind, long hi, long lo, long fingerprint) {
    return "begin " + kind + " lines=" + lines + " @" + offset + " a=" + a + " b=" + b
        + (keyed ? " key " + time + " " + keyKind + " " + hi + " " + lo + " " + fingerprint : "");
  }

  static String line(String id, long n, long x) {
    return "line " + id + " " + n + " " + x;
  }

  private static String ascii(byte[] b, int from, int length) {
    return new String(b, from, length, StandardCharsets.US_ASCII);
  }
}
