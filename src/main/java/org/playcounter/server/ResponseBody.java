package org.playcounter.server;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * An ASCII response body written as it is produced: a body that fits one buffer goes out with
 * an exact {@code Content-Length}; a larger one streams in chunks, so a body of millions of
 * songs is never held whole. For {@code HEAD} nothing is sent and only the length is counted.
 *
 * <p>Every character appended must be ASCII; the JSON and id rules guarantee that.
 */
final class ResponseBody implements Appendable {
  private static final int BUFFER_BYTES = 8192;

  private final HttpServletResponse response;
  private final boolean head;
  private final byte[] buffer = new byte[BUFFER_BYTES];
  private int buffered;
  private long total;
  private OutputStream out;

  ResponseBody(HttpServletResponse response, boolean head, int status, String contentType) {
    this.response = response;
    this.head = head;
    response.setStatus(status);
    response.setContentType(contentType);
  }

  /** Sends a whole small body with its exact length; {@code head} sends only the headers. */
  static void send(HttpServletResponse response, boolean head, int status, String contentType,
      String text) throws IOException {
    send(response, head, status, contentType, text.getBytes(StandardCharsets.US_ASCII));
  }

  /** Sends a whole small body of bytes with its exact length; {@code head}: the headers only. */
  static void send(HttpServletResponse response, boolean head, int status, String contentType,
      byte[] bytes) throws IOException {
    response.setStatus(status);
    response.setContentType(contentType);
    response.setContentLength(bytes.length);
    if (!head) {
      response.getOutputStream().write(bytes);
    }
  }

  @Override
  public ResponseBody append(char c) throws IOException {
    if (buffered == BUFFER_BYTES) {
      drainBuffer();
    }
    buffer[buffered++] = (byte) c;
    return this;
  }

  @Override
  public ResponseBody append(CharSequence s) throws IOException {
    return append(s, 0, s.length());
  }

  @Override
  public ResponseBody append(CharSequence s, int start, int end) throws IOException {
    for (int i = start; i < end; i++) {
      if (buffered == BUFFER_BYTES) {
        drainBuffer();
      }
      buffer[buffered++] = (byte) s.charAt(i);
    }
    return this;
  }

  /** Ends the body: sets its length when it was never streamed, and sends what is left. */
  void finish() throws IOException {
    total += buffered;
    if (head) {
      response.setContentLengthLong(total);
      return;
    }
    if (out == null) {
      response.setContentLength(buffered);
      out = response.getOutputStream();
    }
    out.write(buffer, 0, buffered);
    buffered = 0;
  }

  private void drainBuffer() throws IOException {
    total += buffered;
    if (!head) {
      if (out == null) {
        out = response.getOutputStream();
      }
      out.write(buffer, 0, buffered);
    }
    buffered = 0;
  }
}
