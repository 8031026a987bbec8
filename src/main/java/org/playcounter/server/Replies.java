package org.playcounter.server;

import jakarta.servlet.RequestDispatcher;
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
 * one-line errors (the store's refusals among them), each counted and logged, never the
 * container's error page.
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

  /**
   * Request attribute holding a {@link Refusal} that the container may replace with its own
   * error handling (Tomcat takes over a request whose body failed to read): the error dispatch
   * answers it again.
   */
  static final String REFUSAL = Replies.class.getName() + ".refusal";

  /** A one-line refusal already counted and logged, to be sent again as it was. */
  record Refusal(CountsFormat format, String message) {}

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
        errorBody(format, message));
  }

  /**
   * Answers a change the store refused ({@link Rejection#ofStoreRefusal}) with its status and the
   * refusal's one-line message; anything else the store threw is thrown on.
   */
  void refused(HttpServletResponse response, CountsFormat format, RuntimeException e)
      throws IOException {
    Rejection rejection = Rejection.ofStoreRefusal(e);
    if (rejection == null) {
      throw e;
    }
    reject(response, format, rejection, e.getMessage());
  }

  private static String errorBody(CountsFormat format, String message) {
    return format == CountsFormat.JSON ? Json.error(message) : message;
  }

  /**
   * Answers the container's error dispatch (a protected path, a bad request line, an exception):
   * one line with the status the container chose. A {@link Refusal} playcounter gave first is
   * sent again as it was, uncounted, since it was counted once.
   */
  void containerError(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    if (response.isCommitted()) {
      return;
    }
    int status = containerErrorStatus(request, response);
    response.resetBuffer();
    if (request.getAttribute(REFUSAL) instanceof Refusal refusal) {
      ResponseBody.send(response, false, status, refusal.format().contentType(),
          errorBody(refusal.format(), refusal.message()));
      return;
    }
    metrics.rejected(Rejection.CONTAINER);
    String reason = Rejection.reasonPhrase(status);
    rejectionLog.record(Rejection.CONTAINER, status, status + " " + reason);
    ResponseBody.send(response, false, status, CountsFormat.TEXT.contentType(), reason);
  }

  /**
   * The status of an error the container raised: the Servlet attribute where the container sets
   * it, else the status it already gave the response (Jetty 12.0 sets no error attributes on a
   * protected path's dispatch, only the 404), else 500.
   */
  private static int containerErrorStatus(HttpServletRequest request,
      HttpServletResponse response) {
    Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
    if (code instanceof Integer number && number >= 400) {
      return number;
    }
    int status = response.getStatus();
    return status >= 400 ? status : 500;
  }

  /** {@link #reject} in the format the request's {@code Accept} asks for, else text. */
  void reject(HttpServletRequest request, HttpServletResponse response, Rejection rejection,
      String message) throws IOException {
    CountsFormat format = RequestHeaders.choose(RequestHeaders.accept(request));
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
