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
import java.util.Map;
import org.playcounter.store.CountOverflowException;
import org.playcounter.store.Drained;
import org.playcounter.store.KeyedRequest;
import org.playcounter.store.PlayCountStore;
import org.playcounter.store.SongLimitException;
import org.playcounter.store.StorageFailedException;
import org.playcounter.wire.CountsFormat;
import org.playcounter.wire.MalformedCountsException;
import org.playcounter.wire.SongId;

/**
 * The HTTP face of the counter: splits the path, then dispatches on the method itself, so that
 * every answer, errors included, is its own one-line body and never a container page.
 */
public final class PlayCounterServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  private transient PlayCountStore store;
  private transient Settings settings;
  private transient AdminToken adminToken;
  private transient Metrics metrics;
  private transient RejectionLog rejectionLog;
  private transient Replies replies;
  private transient KeyedWrites keyedWrites;
  private transient DrainRequests drainRequests;
  /**
   * True when plays wait for an fsync (milliseconds): they are then answered asynchronously, so
   * that the plays of all connections share each fsync. A play that waits only for a write
   * (microseconds, {@code fsync=interval}) is written by its own thread: measured faster on Tomcat
   * than the hand-over an asynchronous answer costs (README, Durability).
   */
  private transient boolean answerLater;
  /** The longest a play answered asynchronously waits for the journal. */
  private static final long ACK_TIMEOUT_MS = 30_000;

  @Override
  public void init() throws ServletException {
    ServletContext context = getServletContext();
    store = (PlayCountStore) context.getAttribute(PlayCountStore.ATTRIBUTE);
    settings = (Settings) context.getAttribute(PlayCounterLifecycle.SETTINGS_ATTRIBUTE);
    metrics = (Metrics) context.getAttribute(Metrics.ATTRIBUTE);
    if (store == null || settings == null || metrics == null) {
      throw new ServletException("playcounter's context listener did not run: check web.xml");
    }
    adminToken = new AdminToken(settings.adminToken());
    rejectionLog = new RejectionLog(context::log);
    replies = new Replies(metrics, rejectionLog, adminToken);
    keyedWrites = new KeyedWrites(store, replies);
    drainRequests = new DrainRequests(store, settings, metrics, replies, keyedWrites);
    answerLater = store.durable() && settings.fsyncAlways();
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    long start = System.nanoTime();
    response.setHeader("Cache-Control", "no-store");
    Route route = Route.NONE;
    try {
      if (request.getDispatcherType() == DispatcherType.ERROR) {
        containerError(request, response);
        return;
      }
      String path = Replies.pathInContext(request);
      route = Route.of(path);
      String method = request.getMethod();
      if (!route.allows(method)) {
        if (route != Route.NONE) {
          response.setHeader("Allow", route.allow());
        }
        replies.reject(request, response, route == Route.NONE ? Rejection.NOT_FOUND
            : Rejection.METHOD_NOT_ALLOWED, route == Route.NONE ? "Not Found"
            : "Method Not Allowed");
        return;
      }
      if (method.equals("OPTIONS") && route != Route.SONG) {
        options(response, route);
        return;
      }
      CountsFormat format = RequestHeaders.choose(request.getHeader("Accept"));
      if (format == null && method.equals("OPTIONS")) {
        format = CountsFormat.TEXT; // OPTIONS has no body to negotiate
      } else if (format == null && route != Route.METRICS) {
        replies.reject(response, CountsFormat.TEXT, Rejection.NOT_ACCEPTABLE,
            "Not Acceptable: this resource is text/plain or application/json");
        return;
      }
      try {
        switch (route) {
          case SONGS -> songs(request, response, method, format);
          case SONG -> song(request, response, method, format,
              path.substring(Route.SONG_PREFIX.length()));
          case DRAINS -> drainRequests.drains(request, response, method, format);
          case DRAIN -> drainRequests.drain(request, response, method, format,
              path.substring(Route.DRAIN_PREFIX.length()));
          case HEALTH -> health(response, method);
          case METRICS -> metrics.scrape(request, response);
          default -> replies.reject(response, format, Rejection.NOT_FOUND, "Not Found");
        }
      } catch (StorageFailedException e) {
        if (!response.isCommitted()) {
          response.resetBuffer();
          replies.reject(response, format == null ? CountsFormat.TEXT : format,
              Rejection.STORAGE_FAILED, e.getMessage());
        }
      }
    } finally {
      if (request.getAttribute(LaterAnswer.ATTRIBUTE) == null) {
        metrics.answered(route, response.getStatus(), start);
      }
    }
  }

  /** {@code /}: every song at once. */
  private void songs(HttpServletRequest request, HttpServletResponse response, String method,
      CountsFormat format) throws IOException {
    switch (method) {
      case "GET", "HEAD" -> Replies.sendCounts(response, method.equals("HEAD"), 200, format,
          store::snapshot);
      case "POST" -> addPlays(request, response, format);
      case "DELETE" -> {
        if (!replies.authorized(request, response, format)) {
          return;
        }
        if (RequestHeaders.prefersRepresentation(request.getHeaders("Prefer"))) {
          sendDrain(response, format);
        } else {
          store.reset();
          ResponseBody.send(response, false, 200, CountsFormat.TEXT.contentType(), "OK");
        }
      }
      default -> replies.reject(response, format, Rejection.METHOD_NOT_ALLOWED,
          "Method Not Allowed");
    }
  }

  /** {@code /song/{id}}: one song. */
  private void song(HttpServletRequest request, HttpServletResponse response, String method,
      CountsFormat format, String rawId) throws IOException {
    String id;
    try {
      id = SongId.fromPathSegment(rawId);
    } catch (IllegalArgumentException e) {
      replies.reject(response, format, Rejection.BAD_SONG_ID, e.getMessage());
      return;
    }
    long count;
    switch (method) {
      case "GET", "HEAD" -> count = store.get(id);
      case "POST" -> {
        KeyedRequest[] keyed = {null};
        if (keyedWrites.begin(request, response, format, (key, json, now) ->
            KeyedRequest.play(key, id, json, now), keyed, id) == KeyedWrites.Next.ANSWERED) {
          return;
        }
        if (answerLater) {
          playLater(request, response, format, id, keyed[0]);
          return;
        }
        try {
          count = store.increment(id, keyed[0]);
        } catch (CountOverflowException e) {
          replies.reject(response, format, Rejection.COUNT_OVERFLOW,
              "count of song " + id + " would overflow 64 bits");
          return;
        } catch (SongLimitException e) {
          replies.reject(response, format, Rejection.SONG_LIMIT, e.getMessage());
          return;
        }
        metrics.played(1);
      }
      case "DELETE" -> {
        if (!replies.authorized(request, response, format)) {
          return;
        }
        count = store.remove(id);
      }
      case "OPTIONS" -> {
        options(response, Route.SONG);
        return;
      }
      default -> {
        replies.reject(response, format, Rejection.METHOD_NOT_ALLOWED, "Method Not Allowed");
        return;
      }
    }
    Replies.sendCount(response, method.equals("HEAD"), format, id, count);
  }

  /**
   * {@code POST /song/{id}} with {@code fsync=always}: the play is recorded now and answered once
   * it is on disk, without holding a container thread meanwhile, so that the plays of many
   * connections share one write and one fsync.
   */
  private void playLater(HttpServletRequest request, HttpServletResponse response,
      CountsFormat format, String id, KeyedRequest keyed) {
    LaterAnswer later = later(request, response, Route.SONG, format);
    try {
      store.increment(id, keyed, (count, failure) -> later.answer(() -> {
        if (failure != null) {
          replies.reject(response, format, Rejection.STORAGE_FAILED, failure.getMessage());
        } else {
          metrics.played(1);
          Replies.sendCount(response, false, format, id, count);
        }
      }));
    } catch (CountOverflowException e) {
      later.answerNow(() -> replies.reject(response, format, Rejection.COUNT_OVERFLOW,
          "count of song " + id + " would overflow 64 bits"));
    } catch (SongLimitException e) {
      later.answerNow(() -> replies.reject(response, format, Rejection.SONG_LIMIT, e.getMessage()));
    } catch (StorageFailedException e) {
      later.answerNow(() -> replies.reject(response, format, Rejection.STORAGE_FAILED, e.getMessage()));
    }
  }

  private LaterAnswer later(HttpServletRequest request, HttpServletResponse response,
      Route route, CountsFormat format) {
    long start = System.nanoTime(); // the microseconds before go untimed: the wait is the cost
    return LaterAnswer.start(request, response, ACK_TIMEOUT_MS,
        () -> metrics.answered(route, response.getStatus(), start),
        timedOut -> replies.reject(timedOut, format, Rejection.STORAGE_FAILED, "storage too"
            + " slow: not"
            + " journaled within " + ACK_TIMEOUT_MS / 1000 + " s; the change may or may not be"
            + " recorded"));
  }

  private void health(HttpServletResponse response, String method) throws IOException {
    boolean head = method.equals("HEAD");
    String unavailable = store.unavailable();
    if (unavailable != null) {
      ResponseBody.send(response, head, 503, CountsFormat.TEXT.contentType(), unavailable);
    } else {
      ResponseBody.send(response, head, 200, CountsFormat.TEXT.contentType(), "OK");
    }
  }

  private void addPlays(HttpServletRequest request, HttpServletResponse response,
      CountsFormat accepted) throws IOException {
    CountsFormat bodyFormat = RequestHeaders.bodyFormat(request.getContentType());
    CountsFormat format = RequestHeaders.isExplicit(request.getHeader("Accept"))
        ? accepted
        : bodyFormat == null ? CountsFormat.TEXT : bodyFormat;
    if (bodyFormat == null) {
      replies.reject(response, format, Rejection.UNSUPPORTED_MEDIA_TYPE,
          "Content-Type must be text/plain or application/json");
      return;
    }
    long limit = settings.maxBodyBytes();
    byte[] bytes = null;
    if (request.getContentLengthLong() <= limit) {
      try (InputStream in = request.getInputStream()) {
        bytes = in.readNBytes((int) limit + 1);
      }
    }
    if (bytes == null || bytes.length > limit) {
      response.setHeader("Connection", "close"); // the rest of the body is never read
      replies.reject(response, format, Rejection.BODY_TOO_LARGE,
          "request body is larger than " + limit + " bytes");
      return;
    }
    Map<String, Long> counts;
    try {
      Map<String, Long> plays = bodyFormat.parse(new String(bytes, StandardCharsets.UTF_8),
          CountsFormat.MAX_BULK_COUNT);
      KeyedRequest[] keyed = {null};
      if (keyedWrites.begin(request, response, format, (key, json, now) ->
          KeyedRequest.bulk(key, plays, json, now), keyed, null) == KeyedWrites.Next.ANSWERED) {
        return;
      }
      if (answerLater) {
        addLater(request, response, format, plays, keyed[0]);
        return;
      }
      counts = store.add(plays, keyed[0]);
      metrics.played(plays.values().stream().mapToLong(Long::longValue).sum());
    } catch (MalformedCountsException e) {
      replies.reject(response, format, Rejection.MALFORMED_BODY, e.getMessage());
      return;
    } catch (CountOverflowException e) {
      replies.reject(response, format, Rejection.COUNT_OVERFLOW, e.getMessage());
      return;
    } catch (SongLimitException e) {
      replies.reject(response, format, Rejection.SONG_LIMIT, e.getMessage());
      return;
    }
    Replies.sendCounts(response, format, counts);
  }

  /** Bulk {@code POST /} with {@code fsync=always}, answered once on disk: see playLater. */
  private void addLater(HttpServletRequest request, HttpServletResponse response,
      CountsFormat format, Map<String, Long> plays, KeyedRequest keyed) {
    LaterAnswer later = later(request, response, Route.SONGS, format);
    try {
      store.add(plays, keyed, (counts, failure) -> later.answer(() -> {
        if (failure != null) {
          replies.reject(response, format, Rejection.STORAGE_FAILED, failure.getMessage());
        } else {
          metrics.played(plays.values().stream().mapToLong(Long::longValue).sum());
          Replies.sendCounts(response, format, counts);
        }
      }));
    } catch (CountOverflowException e) {
      later.answerNow(() -> replies.reject(response, format, Rejection.COUNT_OVERFLOW, e.getMessage()));
    } catch (SongLimitException e) {
      later.answerNow(() -> replies.reject(response, format, Rejection.SONG_LIMIT, e.getMessage()));
    } catch (StorageFailedException e) {
      later.answerNow(() -> replies.reject(response, format, Rejection.STORAGE_FAILED, e.getMessage()));
    }
  }

  /** Drains and streams the counts; if they cannot be delivered, the store puts them back. */
  private void sendDrain(HttpServletResponse response, CountsFormat format) throws IOException {
    Drained drained;
    try {
      drained = store.drain(taken -> {
        response.setHeader("Preference-Applied", "return=representation");
        Replies.sendCounts(response, false, 200, format, taken::forEach);
        response.flushBuffer();
      });
    } catch (IOException | RuntimeException e) {
      if (!(e instanceof StorageFailedException) || response.isCommitted()) {
        getServletContext().log("playcounter: a drain could not be delivered (" + e
            + "); its counts were put back" + (e.getSuppressed().length == 0 ? ""
                : " unless the log says otherwise: " + e.getSuppressed()[0]));
      }
      throw e;
    }
    metrics.drained(drained.size());
  }

  private static void options(HttpServletResponse response, Route route) {
    response.setStatus(204);
    response.setHeader("Allow", route.allow());
  }

  /** Renders an error the container raised itself (a protected path, a bad request line). */
  private void containerError(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    if (response.isCommitted()) {
      return;
    }
    int status = containerErrorStatus(request, response);
    response.resetBuffer();
    metrics.rejected(Rejection.CONTAINER);
    rejectionLog.record(Rejection.CONTAINER, status + " " + Rejection.reasonPhrase(status));
    ResponseBody.send(response, false, status, CountsFormat.TEXT.contentType(), Rejection.reasonPhrase(status));
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
}
