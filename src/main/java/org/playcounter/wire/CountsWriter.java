package org.playcounter.wire;

import java.io.IOException;

/**
 * Writes one set of counts to an {@link Appendable} as it is handed the pairs, so that a body of
 * millions of songs never exists whole in memory. Not thread-safe: one writer per body.
 */
public final class CountsWriter {
  private final CountsFormat format;
  private final Appendable out;
  private boolean first = true;

  CountsWriter(CountsFormat format, Appendable out) throws IOException {
    this.format = format;
    this.out = out;
    if (format == CountsFormat.JSON) {
      out.append('{');
    }
  }

  /** Writes one pair; {@code id} must be a valid song id. */
  public void write(String id, long count) throws IOException {
    if (!first) {
      out.append(',');
    }
    first = false;
    if (format == CountsFormat.JSON) {
      Json.quote(id, out);
      out.append(':');
    } else {
      out.append(id).append('=');
    }
    out.append(Long.toString(count));
  }

  /** Ends the body; write nothing after this. */
  public void finish() throws IOException {
    if (format == CountsFormat.JSON) {
      out.append('}');
    }
  }
}
