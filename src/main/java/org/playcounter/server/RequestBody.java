package org.playcounter.server;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.playcounter.wire.CountsFormat;

/**
 * A bulk request's body, read whole up to {@code max-body-bytes}, or the reason it is refused: a
 * content type or charset it is not in (415), too large (413), or cut short (400: the client
 * closed, reset or stalled until the container's idle timeout before its {@code Content-Length}
 * or last chunk arrived). Nothing is parsed here, and a refused body changes nothing.
 */
final class RequestBody {
  private static final int CHUNK = 8192;

  private final byte[] bytes;
  private final Rejection refused;
  private final String reason;
  private final boolean closeConnection;

  private RequestBody(byte[] bytes, Rejection refused, String reason, boolean closeConnection) {
    this.bytes = bytes;
    this.refused = refused;
    this.reason = reason;
    this.closeConnection = closeConnection;
  }

  /** Reads the body of {@code request}, which names {@code format} (null: one not taken). */
  static RequestBody read(HttpServletRequest request, CountsFormat format, long limit) {
    if (format == null) {
      return refuse(Rejection.UNSUPPORTED_MEDIA_TYPE,
          "Content-Type must be text/plain or application/json", false);
    }
    String charset = RequestHeaders.charsetProblem(request.getContentType());
    if (charset != null) {
      return refuse(Rejection.UNSUPPORTED_MEDIA_TYPE, charset, false);
    }
    long declared = request.getContentLengthLong();
    if (declared > limit) {
      return tooLarge(limit);
    }
    byte[] buffer = new byte[(int) Math.min(limit + 1, declared >= 0 ? declared + 1 : CHUNK)];
    int read = 0;
    try (InputStream in = request.getInputStream()) {
      while (read <= limit) {
        if (read == buffer.length) {
          buffer = Arrays.copyOf(buffer, (int) Math.min(limit + 1, 2L * buffer.length));
        }
        int n = in.read(buffer, read, buffer.length - read);
        if (n < 0) {
          break;
        }
        read += n;
      }
    } catch (IOException e) {
      return cutShort(read, declared);
    }
    if (read > limit) {
      return tooLarge(limit);
    }
    if (declared >= 0 && read < declared) {
      return cutShort(read, declared); // a container that reports the early end as the end
    }
    return new RequestBody(Arrays.copyOf(buffer, read), null, null, false);
  }

  private static RequestBody refuse(Rejection rejection, String reason, boolean close) {
    return new RequestBody(null, rejection, reason, close);
  }

  private static RequestBody tooLarge(long limit) {
    return refuse(Rejection.BODY_TOO_LARGE, "request body is larger than " + limit + " bytes",
        true);
  }

  private static RequestBody cutShort(int read, long declared) {
    return refuse(Rejection.INCOMPLETE_BODY, "request body ended after " + read + " bytes"
        + (declared >= 0 ? " of the " + declared + " its Content-Length announced" : " before"
            + " its last chunk") + "; nothing was changed", true);
  }

  /** The rejection when the body is refused, else null. */
  Rejection refused() {
    return refused;
  }

  /** The one-line reason of a refusal. */
  String reason() {
    return reason;
  }

  /** True when the connection cannot carry another request: the body was not read to its end. */
  boolean closeConnection() {
    return closeConnection;
  }

  /** The body as text; ids and counts are ASCII, so UTF-8 and its ASCII subsets read alike. */
  String text() {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
