package org.playcounter.server;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import org.playcounter.store.CountVisitor;
import org.playcounter.store.PendingDrain;
import org.playcounter.wire.CountsFormat;
import org.playcounter.wire.CountsWriter;
import org.playcounter.wire.Json;

/**
 * How the servlet answers: counts streamed in the negotiated format, one song's count, and
 * one-line errors, each counted and logged, never the container's error page.
 */
final class Replies {
  private final Metrics metrics;
  private final RejectionLog rejectionLog;
  private final AdminToken adminToken;

  Replies(Metrics metrics, RejectionLog rejectionLog, AdminToken adminToken) {
    this.metrics = metrics;
    this.rejectionLog = rejectionLog;
    this.adminToken = adminToken;
  }

  /** Where {@link #sendCounts} reads its counts from. */
  @FunctionalInterface
  interface Counts {
    void forEach(CountVisitor<IOException> visitor) throws IOException;
  }

  /** Streams counts in {@code format}, with an exact length when they are few. */
  static void sendCounts(HttpServletResponse response, boolean head, int status,
      CountsFormat format, Counts counts) throws IOException {
    ResponseBody body = new ResponseBody(response, head, status, format.contentType());
    CountsWriter writer = format.writer(body);
    counts.forEach(writer::write);
    writer.finish();
    body.finish();
  }

  /** Sends the counts of a bulk add, 200. */
  static void sendCounts(HttpServletResponse response, CountsFormat format,
      Map<String, Long> counts) throws IOException {
    sendCounts(response, false, 200, format, visitor -> {
      for (Map.Entry<String, Long> entry : counts.entrySet()) {
        visitor.visit(entry.getKey(), entry.getValue());
      }
    });
  }

  /** Sends one song's count, 200: {@code 3}, or {@code {"id":"1","count":3}}. */
  static void sendCount(HttpServletResponse response, boolean head, CountsFormat format,
      String id, long count) throws IOException {
    ResponseBody.send(response, head, 200, format.contentType(),
        format == CountsFormat.JSON ? Json.count(id, count) : Long.toString(count));
  }

  /** The answer to {@code POST /drains}: 201, where the drain is, and its counts. */
  static void sendDrainCreated(HttpServletRequest request, HttpServletResponse response,
      CountsFormat format, PendingDrain drain) throws IOException {
    response.setHeader("Location", request.getContextPath() + Route.DRAIN_PREFIX
        + drain.number());
    sendCounts(response, false, 201, format, drain.counts()::forEach);
  }

  /** Answers a one-line error in {@code format}, counted and logged. */
  void reject(HttpServletResponse response, CountsFormat format, Rejection rejection,
      String message) throws IOException {
    metrics.rejected(rejection);
    rejectionLog.record(rejection, message);
    ResponseBody.send(response, false, rejection.status(), format.contentType(),
        format == CountsFormat.JSON ? Json.error(message) : message);
  }

  /** {@link #reject} in the format the request's {@code Accept} asks for, else text. */
  void reject(HttpServletRequest request, HttpServletResponse response, Rejection rejection,
      String message) throws IOException {
    CountsFormat format = RequestHeaders.choose(request.getHeader("Accept"));
    reject(response, format == null ? CountsFormat.TEXT : format, rejection, message);
  }

  /** True when the request carries the admin token (or none is set); else answers 401. */
  boolean authorized(HttpServletRequest request, HttpServletResponse response,
      CountsFormat format) throws IOException {
    if (adminToken.permits(request.getHeader("Authorization"))) {
      return true;
    }
    response.setHeader("WWW-Authenticate", "Bearer realm=\"playcounter\"");
    reject(response, format, Rejection.UNAUTHORIZED,
        request.getMethod() + " " + pathInContext(request) + " needs the admin token: send"
            + " Authorization: Bearer <token>");
    return false;
  }

  /** The request's path within the deployment: {@code /} at least. */
  static String pathInContext(HttpServletRequest request) {
    String uri = request.getRequestURI();
    String context = request.getContextPath();
    String path = uri.startsWith(context) ? uri.substring(context.length()) : uri;
    return path.isEmpty() ? "/" : path;
  }
}
