package org.playcounter.server;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Enumeration;
import java.util.Locale;
import java.util.Map;
import org.playcounter.server.PlayCountStore.CountOverflowException;
import org.playcounter.server.PlayCountStore.Drained;
import org.playcounter.server.PlayCountStore.SongLimitException;
import org.playcounter.wire.CountsFormat;
import org.playcounter.wire.CountsWriter;
import org.playcounter.wire.Json;
import org.playcounter.wire.MalformedCountsException;
import org.playcounter.wire.SongId;

/**
 * The HTTP face of the counter: splits the path, then dispatches on the method itself, so that
 * every answer, errors included, is its own one-line body and never a container page.
 */
public final class PlayCounterServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private static final String ALLOW = "GET, HEAD, POST, DELETE, OPTIONS";
  private static final String SONG_PREFIX = "/song/";

  private transient PlayCountStore store;
  private transient Settings settings;
  private transient AdminToken adminToken;

  @Override
  public void init() throws ServletException {
    ServletContext context = getServletContext();
    store = (PlayCountStore) context.getAttribute(PlayCountStore.ATTRIBUTE);
    settings = (Settings) context.getAttribute(PlayCounterLifecycle.SETTINGS_ATTRIBUTE);
    if (store == null || settings == null) {
      throw new ServletException("playcounter's context listener did not run: check web.xml");
    }
    adminToken = new AdminToken(settings.adminToken());
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    response.setHeader("Cache-Control", "no-store");
    if (request.getDispatcherType() == DispatcherType.ERROR) {
      containerError(request, response);
      return;
    }
    String path = pathInContext(request);
    if (path.equals("/")) {
      songs(request, response);
    } else if (path.startsWith(SONG_PREFIX)) {
      song(request, response, path.substring(SONG_PREFIX.length()));
    } else {
      fail(request, response, 404, "Not Found");
    }
  }

  /** {@code /}: every song at once. */
  private void songs(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    String method = request.getMethod();
    CountsFormat format = acceptedFormat(request, response, method);
    if (format == null) {
      return;
    }
    switch (method) {
      case "GET", "HEAD" -> {
        ResponseBody body = new ResponseBody(response, method.equals("HEAD"), 200,
            format.contentType());
        CountsWriter writer = format.writer(body);
        store.snapshot(writer::write);
        writer.finish();
        body.finish();
      }
      case "POST" -> addPlays(request, response, format);
      case "DELETE" -> {
        if (!authorized(request, response)) {
          return;
        }
        if (prefersRepresentation(request)) {
          sendDrain(response, format, store.drain());
        } else {
          store.drain();
          ResponseBody.send(response, false, 200, CountsFormat.TEXT.contentType(), "OK");
        }
      }
      default -> options(response);
    }
  }

  /** {@code /song/{id}}: one song. */
  private void song(HttpServletRequest request, HttpServletResponse response, String rawId)
      throws IOException {
    String method = request.getMethod();
    CountsFormat format = acceptedFormat(request, response, method);
    if (format == null) {
      return;
    }
    String id;
    try {
      id = SongId.fromPathSegment(rawId);
    } catch (IllegalArgumentException e) {
      fail(response, format, 400, e.getMessage());
      return;
    }
    long count;
    switch (method) {
      case "GET", "HEAD" -> count = store.get(id);
      case "POST" -> {
        try {
          count = store.increment(id);
        } catch (CountOverflowException e) {
          fail(response, format, 409, "count of song " + id + " would overflow 64 bits");
          return;
        } catch (SongLimitException e) {
          fail(response, format, 507, e.getMessage());
          return;
        }
      }
      case "DELETE" -> {
        if (!authorized(request, response)) {
          return;
        }
        count = store.remove(id);
      }
      default -> {
        options(response);
        return;
      }
    }
    String body = format == CountsFormat.JSON
        ? "{\"id\":" + Json.quote(id) + ",\"count\":" + count + "}"
        : Long.toString(count);
    ResponseBody.send(response, method.equals("HEAD"), 200, format.contentType(), body);
  }

  /**
   * Answers what the method and {@code Accept} header rule out (405, 406 and OPTIONS' 204) and
   * returns null then; otherwise returns the format to answer in.
   */
  private CountsFormat acceptedFormat(HttpServletRequest request, HttpServletResponse response,
      String method) throws IOException {
    switch (method) {
      case "GET", "HEAD", "POST", "DELETE" -> {
        CountsFormat format = AcceptHeader.choose(request.getHeader("Accept"));
        if (format == null) {
          fail(response, CountsFormat.TEXT, 406,
              "Not Acceptable: this resource is text/plain or application/json");
        }
        return format;
      }
      case "OPTIONS" -> {
        return CountsFormat.TEXT; // answered after the id check, so a bad id is still a 400
      }
      default -> {
        response.setHeader("Allow", ALLOW);
        fail(request, response, 405, "Method Not Allowed");
        return null;
      }
    }
  }

  private void addPlays(HttpServletRequest request, HttpServletResponse response,
      CountsFormat accepted) throws IOException {
    CountsFormat bodyFormat = bodyFormat(request.getContentType());
    CountsFormat format = AcceptHeader.isExplicit(request.getHeader("Accept"))
        ? accepted
        : bodyFormat == null ? CountsFormat.TEXT : bodyFormat;
    if (bodyFormat == null) {
      fail(response, format, 415, "Content-Type must be text/plain or application/json");
      return;
    }
    long limit = settings.maxBodyBytes();
    if (request.getContentLengthLong() > limit) {
      tooLarge(response, format, limit);
      return;
    }
    byte[] bytes;
    try (InputStream in = request.getInputStream()) {
      bytes = in.readNBytes((int) limit + 1);
    }
    if (bytes.length > limit) {
      tooLarge(response, format, limit);
      return;
    }
    Map<String, Long> plays;
    try {
      plays = bodyFormat.parse(new String(bytes, StandardCharsets.UTF_8),
          CountsFormat.MAX_BULK_COUNT);
    } catch (MalformedCountsException e) {
      fail(response, format, 400, e.getMessage());
      return;
    }
    Map<String, Long> counts;
    try {
      counts = store.add(plays);
    } catch (CountOverflowException e) {
      fail(response, format, 409, e.getMessage());
      return;
    } catch (SongLimitException e) {
      fail(response, format, 507, e.getMessage());
      return;
    }
    ResponseBody body = new ResponseBody(response, false, 200, format.contentType());
    CountsWriter writer = format.writer(body);
    for (Map.Entry<String, Long> entry : counts.entrySet()) {
      writer.write(entry.getKey(), entry.getValue());
    }
    writer.finish();
    body.finish();
  }

  /** Streams a drain's counts; if they cannot be delivered, puts them back before failing. */
  private void sendDrain(HttpServletResponse response, CountsFormat format, Drained drained)
      throws IOException {
    try {
      response.setHeader("Preference-Applied", "return=representation");
      ResponseBody body = new ResponseBody(response, false, 200, format.contentType());
      CountsWriter writer = format.writer(body);
      drained.forEach(writer::write);
      writer.finish();
      body.finish();
      response.flushBuffer();
    } catch (IOException | RuntimeException e) {
      store.restore(drained);
      getServletContext().log("playcounter: a drain of " + drained.size()
          + " songs could not be delivered (" + e + "); its counts were put back");
      throw e;
    }
  }

  private boolean authorized(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    if (adminToken.permits(request.getHeader("Authorization"))) {
      return true;
    }
    response.setHeader("WWW-Authenticate", "Bearer realm=\"playcounter\"");
    fail(request, response, 401,
        "DELETE needs the admin token: send Authorization: Bearer <token>");
    return false;
  }

  private void options(HttpServletResponse response) {
    response.setStatus(204);
    response.setHeader("Allow", ALLOW);
  }

  private void tooLarge(HttpServletResponse response, CountsFormat format, long limit)
      throws IOException {
    response.setHeader("Connection", "close"); // the rest of the body is never read
    fail(response, format, 413, "request body is larger than " + limit + " bytes");
  }

  /** Renders an error the container raised itself (a protected path, a bad request line). */
  private void containerError(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    if (response.isCommitted()) {
      return;
    }
    Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
    int status = code instanceof Integer number && number >= 400 ? number : 500;
    response.resetBuffer();
    fail(response, CountsFormat.TEXT, status, reason(status));
  }

  private static void fail(HttpServletRequest request, HttpServletResponse response, int status,
      String message) throws IOException {
    CountsFormat format = AcceptHeader.choose(request.getHeader("Accept"));
    fail(response, format == null ? CountsFormat.TEXT : format, status, message);
  }

  /** Writes a one-line error in the negotiated format; never the container's error page. */
  private static void fail(HttpServletResponse response, CountsFormat format, int status,
      String message) throws IOException {
    String body = format == CountsFormat.JSON ? "{\"error\":" + Json.quote(message) + "}"
        : message;
    ResponseBody.send(response, false, status, format.contentType(), body);
  }

  private static boolean prefersRepresentation(HttpServletRequest request) {
    Enumeration<String> headers = request.getHeaders("Prefer");
    while (headers != null && headers.hasMoreElements()) {
      for (String preference : headers.nextElement().split(",")) {
        String token = preference.split(";", 2)[0].replace(" ", "").replace("\"", "");
        if (token.equalsIgnoreCase("return=representation")) {
          return true;
        }
      }
    }
    return false;
  }

  /** The body format named by a {@code Content-Type}; null for one the service cannot read. */
  private static CountsFormat bodyFormat(String contentType) {
    if (contentType == null) {
      return CountsFormat.TEXT;
    }
    String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    return switch (type) {
      // curl -d sends form encoding; the pairs are plain text either way.
      case "", "text/plain", "application/x-www-form-urlencoded" -> CountsFormat.TEXT;
      case "application/json" -> CountsFormat.JSON;
      default -> null;
    };
  }

  private static String pathInContext(HttpServletRequest request) {
    String uri = request.getRequestURI();
    String context = request.getContextPath();
    String path = uri.startsWith(context) ? uri.substring(context.length()) : uri;
    return path.isEmpty() ? "/" : path;
  }

  private static String reason(int status) {
    return switch (status) {
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 408 -> "Request Timeout";
      case 411 -> "Length Required";
      case 413 -> "Content Too Large";
      case 414 -> "URI Too Long";
      case 415 -> "Unsupported Media Type";
      case 431 -> "Request Header Fields Too Large";
      case 501 -> "Not Implemented";
      case 503 -> "Service Unavailable";
      case 505 -> "HTTP Version Not Supported";
      default -> status < 500 ? "Bad Request" : "Internal Server Error";
    };
  }
}
