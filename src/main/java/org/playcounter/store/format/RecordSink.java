package org.playcounter.store.format;

import java.io.IOException;

/**
 * Where decoded records go. Body lines are handed as bytes, the id at {@code b[idFrom, idFrom +
 * idLength)} in ASCII, so that decoding makes no string per song; a sink that throws stops the
 * decoding with its exception.
 */
public interface RecordSink {
  /** A one-song line, after its CRC checked: delta is +n or -n. */
  void single(byte[] b, int idFrom, int idLength, long delta, long offset) throws IOException;

  /** A record that checked out whole (CRC and every line), before its body lines. */
  void begin(Header header) throws IOException;

  /** One body line of that record; x is 0 when the line has no third number. */
  void line(byte[] b, int idFrom, int idLength, long n, long x, long offset) throws IOException;

  /** The record's end. */
  void end(Header header) throws IOException;
}
