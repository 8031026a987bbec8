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
import org.playcounter.store.CountVisitor;
import org.playcounter.store.IdempotencyKeys;
import org.playcounter.store.KeyedRequest;
import org.playcounter.store.Drained;
import org.playcounter.store.PendingDrain;
import org.playcounter.store.PlayCountStore;
import org.playcounter.store.SongLimitException;
import org.playcounter.store.StorageFailedException;
import org.playcounter.store.TooManyDrainsException;
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

  private transient PlayCountStore store;
  private transient Settings settings;
  private transient AdminToken adminToken;
  private transient Metrics metrics;
  private transient RejectionLog rejectionLog;
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
      String path = pathInContext(request);
      route = Route.of(path);
      String method = request.getMethod();
      if (!route.allows(method)) {
        if (route != Route.NONE) {
          response.setHeader("Allow", route.allow());
        }
        reject(request, response, route == Route.NONE ? Rejection.NOT_FOUND
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
        reject(response, CountsFormat.TEXT, Rejection.NOT_ACCEPTABLE,
            "Not Acceptable: this resource is text/plain or application/json");
        return;
      }
      try {
        switch (route) {
          case SONGS -> songs(request, response, method, format);
          case SONG -> song(request, response, method, format,
              path.substring(Route.SONG_PREFIX.length()));
          case DRAINS -> drains(request, response, method, format);
          case DRAIN -> drain(request, response, method, format,
              path.substring(Route.DRAIN_PREFIX.length()));
          case HEALTH -> health(response, method);
          default -> metrics.scrape(request, response);
        }
      } catch (StorageFailedException e) {
        if (!response.isCommitted()) {
          response.resetBuffer();
          reject(response, format == null ? CountsFormat.TEXT : format,
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
      case "GET", "HEAD" -> sendCounts(response, method.equals("HEAD"), 200, format,
          store::snapshot);
      case "POST" -> addPlays(request, response, format);
      default -> {
        if (!authorized(request, response, format)) {
          return;
        }
        if (RequestHeaders.prefersRepresentation(request.getHeaders("Prefer"))) {
          sendDrain(response, format);
        } else {
          store.reset();
          ResponseBody.send(response, false, 200, CountsFormat.TEXT.contentType(), "OK");
        }
      }
    }
  }

  /**
   * {@code /drains}: the pending drains' numbers, or (POST) a new pending drain holding every
   * live count, answered 201 with its {@code Location} and its counts.
   */
  private void drains(HttpServletRequest request, HttpServletResponse response, String method,
      CountsFormat format) throws IOException {
    if (!authorized(request, response, format)) {
      return;
    }
    switch (method) {
      case "GET", "HEAD" -> {
        StringBuilder numbers = new StringBuilder();
        for (long number : store.pendingDrains()) {
          numbers.append(numbers.length() == 0 ? "" : ",").append(number);
        }
        ResponseBody.send(response, method.equals("HEAD"), 200, format.contentType(),
            format == CountsFormat.JSON ? "[" + numbers + "]" : numbers.toString());
      }
      case "POST" -> {
        KeyedRequest keyed = null;
        String key = idempotencyKey(request, response, format);
        if (key == Idempotency.REJECTED) {
          return;
        } else if (key != null) {
          keyed = KeyedRequest.drain(key, format == CountsFormat.JSON, System.currentTimeMillis());
          if (!firstUse(request, response, format, keyed, null)) {
            return;
          }
        }
        PendingDrain drain;
        try {
          drain = store.createDrain((int) settings.maxPendingDrains(), keyed);
        } catch (TooManyDrainsException e) {
          reject(response, format, Rejection.TOO_MANY_DRAINS, e.getMessage());
          return;
        }
        metrics.drained(drain.counts().size());
        sendDrainCreated(request, response, format, drain);
      }
      default -> throw new IllegalStateException("not routed here: " + method);
    }
  }

  /** The answer to {@code POST /drains}: 201, where the drain is, and its counts. */
  private static void sendDrainCreated(HttpServletRequest request, HttpServletResponse response,
      CountsFormat format, PendingDrain drain) throws IOException {
    response.setHeader("Location", request.getContextPath() + Route.DRAIN_PREFIX
        + drain.number());
    sendCounts(response, false, 201, format, drain.counts()::forEach);
  }

  /**
   * The request's {@code Idempotency-Key}, null when it has none, or
   * {@link Idempotency#REJECTED} once it was answered 400 for a malformed one.
   */
  private String idempotencyKey(HttpServletRequest request, HttpServletResponse response,
      CountsFormat format) throws IOException {
    try {
      return Idempotency.key(request.getHeaders(Idempotency.HEADER));
    } catch (IllegalArgumentException e) {
      reject(response, format, Rejection.BAD_IDEMPOTENCY_KEY, e.getMessage());
      return Idempotency.REJECTED;
    }
  }

  /**
   * True when the key is new and the request goes on; otherwise answers it: the first request's
   * remembered answer with {@code Idempotent-Replayed: true}, 422 for a key of another request,
   * 409 while the first is still being processed.
   */
  private boolean firstUse(HttpServletRequest request, HttpServletResponse response,
      CountsFormat format, KeyedRequest keyed, String songId) throws IOException {
    IdempotencyKeys.Lookup found = store.begin(keyed);
    switch (found.found()) {
      case NEW -> {
        return true;
      }
      case MISMATCH -> reject(response, format, Rejection.IDEMPOTENCY_KEY_REUSED,
          "this Idempotency-Key was sent with another request (method, path or body); use a new"
          + " key for a new request");
      case IN_PROGRESS -> {
        response.setHeader("Retry-After", "1");
        reject(response, format, Rejection.IDEMPOTENCY_KEY_IN_USE,
            "the first request with this Idempotency-Key is still being processed; send it"
            + " again later for its answer");
      }
      default -> replay(request, response, found, songId);
    }
    return false;
  }

  /** Answers a repeat with the first request's status and body, in the first request's format. */
  private void replay(HttpServletRequest request, HttpServletResponse response,
      IdempotencyKeys.Lookup found, String songId) throws IOException {
    response.setHeader("Idempotent-Replayed", "true");
    CountsFormat format = (found.kind() & KeyedRequest.JSON) != 0 ? CountsFormat.JSON
        : CountsFormat.TEXT;
    switch (found.kind() & 3) {
      case KeyedRequest.PLAY -> ResponseBody.send(response, false, 200, format.contentType(),
          songBody(format, songId, found.value()));
      case KeyedRequest.BULK -> {
        Map<String, Long> counts;
        try {
          counts = CountsFormat.TEXT.parseListing(found.body());
        } catch (MalformedCountsException e) {
          throw new IllegalStateException("a remembered answer that does not parse", e);
        }
        sendCounts(response, format, counts);
      }
      default -> {
        PendingDrain drain = store.pendingDrain(found.value());
        if (drain == null) {
          reject(response, format, Rejection.NO_SUCH_DRAIN, "drain " + found.value()
              + ", which the first request with this Idempotency-Key made, is not pending any"
              + " more (acknowledged, or removed by a reset)");
          return;
        }
        sendDrainCreated(request, response, format, drain);
      }
    }
  }

  /** {@code /drains/{n}}: one pending drain's counts, or (DELETE) its acknowledgement. */
  private void drain(HttpServletRequest request, HttpServletResponse response, String method,
      CountsFormat format, String rawNumber) throws IOException {
    if (!authorized(request, response, format)) {
      return;
    }
    long number = rawNumber.matches("[1-9][0-9]{0,18}") ? parseOrZero(rawNumber) : 0;
    String missing = "drain " + rawNumber + " is not pending (acknowledged already, removed by a"
        + " reset, or never made); GET /drains lists the pending ones";
    switch (method) {
      case "GET", "HEAD" -> {
        PendingDrain drain = number == 0 ? null : store.pendingDrain(number);
        if (drain == null) {
          reject(response, format, Rejection.NO_SUCH_DRAIN, missing);
          return;
        }
        sendCounts(response, method.equals("HEAD"), 200, format, drain.counts()::forEach);
      }
      case "DELETE" -> {
        if (number == 0 || !store.acknowledge(number)) {
          reject(response, format, Rejection.NO_SUCH_DRAIN, missing);
          return;
        }
        ResponseBody.send(response, false, 200, format.contentType(),
            format == CountsFormat.JSON ? "{\"acknowledged\":" + number + "}" : "OK");
      }
      default -> throw new IllegalStateException("not routed here: " + method);
    }
  }

  private static long parseOrZero(String digits) {
    try {
      return Long.parseLong(digits);
    } catch (NumberFormatException e) {
      return 0; // past the long range: no such drain
    }
  }

  /** Where {@link #sendCounts} reads its counts from. */
  @FunctionalInterface
  private interface Counts {
    void forEach(CountVisitor<IOException> visitor) throws IOException;
  }

  /** Streams counts in the negotiated format, with an exact length when they are few. */
  private static void sendCounts(HttpServletResponse response, boolean head, int status,
      CountsFormat format, Counts counts) throws IOException {
    ResponseBody body = new ResponseBody(response, head, status, format.contentType());
    CountsWriter writer = format.writer(body);
    counts.forEach(writer::write);
    writer.finish();
    body.finish();
  }

  /** {@code /song/{id}}: one song. */
  private void song(HttpServletRequest request, HttpServletResponse response, String method,
      CountsFormat format, String rawId) throws IOException {
    String id;
    try {
      id = SongId.fromPathSegment(rawId);
    } catch (IllegalArgumentException e) {
      reject(response, format, Rejection.BAD_SONG_ID, e.getMessage());
      return;
    }
    long count;
    switch (method) {
      case "GET", "HEAD" -> count = store.get(id);
      case "POST" -> {
        KeyedRequest keyed = null;
        String key = idempotencyKey(request, response, format);
        if (key == Idempotency.REJECTED) {
          return;
        } else if (key != null) {
          keyed = KeyedRequest.play(key, id, format == CountsFormat.JSON,
              System.currentTimeMillis());
          if (!firstUse(request, response, format, keyed, id)) {
            return;
          }
        }
        if (answerLater) {
          playLater(request, response, format, id, keyed);
          return;
        }
        try {
          count = store.increment(id, keyed);
        } catch (CountOverflowException e) {
          reject(response, format, Rejection.COUNT_OVERFLOW,
              "count of song " + id + " would overflow 64 bits");
          return;
        } catch (SongLimitException e) {
          reject(response, format, Rejection.SONG_LIMIT, e.getMessage());
          return;
        }
        metrics.played(1);
      }
      case "DELETE" -> {
        if (!authorized(request, response, format)) {
          return;
        }
        count = store.remove(id);
      }
      default -> {
        options(response, Route.SONG);
        return;
      }
    }
    ResponseBody.send(response, method.equals("HEAD"), 200, format.contentType(),
        songBody(format, id, count));
  }

  private static String songBody(CountsFormat format, String id, long count) {
    return format == CountsFormat.JSON
        ? "{\"id\":" + Json.quote(id) + ",\"count\":" + count + "}"
        : Long.toString(count);
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
          reject(response, format, Rejection.STORAGE_FAILED, failure.getMessage());
        } else {
          metrics.played(1);
          ResponseBody.send(response, false, 200, format.contentType(),
              songBody(format, id, count));
        }
      }));
    } catch (CountOverflowException e) {
      later.answerNow(() -> reject(response, format, Rejection.COUNT_OVERFLOW,
          "count of song " + id + " would overflow 64 bits"));
    } catch (SongLimitException e) {
      later.answerNow(() -> reject(response, format, Rejection.SONG_LIMIT, e.getMessage()));
    } catch (StorageFailedException e) {
      later.answerNow(() -> reject(response, format, Rejection.STORAGE_FAILED, e.getMessage()));
    }
  }

  private LaterAnswer later(HttpServletRequest request, HttpServletResponse response,
      Route route, CountsFormat format) {
    long start = System.nanoTime(); // the microseconds before go untimed: the wait is the cost
    return LaterAnswer.start(request, response, ACK_TIMEOUT_MS,
        () -> metrics.answered(route, response.getStatus(), start),
        timedOut -> reject(timedOut, format, Rejection.STORAGE_FAILED, "storage too slow: not"
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
      reject(response, format, Rejection.UNSUPPORTED_MEDIA_TYPE,
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
      reject(response, format, Rejection.BODY_TOO_LARGE,
          "request body is larger than " + limit + " bytes");
      return;
    }
    Map<String, Long> counts;
    try {
      Map<String, Long> plays = bodyFormat.parse(new String(bytes, StandardCharsets.UTF_8),
          CountsFormat.MAX_BULK_COUNT);
      KeyedRequest keyed = null;
      String key = idempotencyKey(request, response, format);
      if (key == Idempotency.REJECTED) {
        return;
      } else if (key != null) {
        keyed = KeyedRequest.bulk(key, plays, format == CountsFormat.JSON,
            System.currentTimeMillis());
        if (!firstUse(request, response, format, keyed, null)) {
          return;
        }
      }
      if (answerLater) {
        addLater(request, response, format, plays, keyed);
        return;
      }
      counts = store.add(plays, keyed);
      metrics.played(plays.values().stream().mapToLong(Long::longValue).sum());
    } catch (MalformedCountsException e) {
      reject(response, format, Rejection.MALFORMED_BODY, e.getMessage());
      return;
    } catch (CountOverflowException e) {
      reject(response, format, Rejection.COUNT_OVERFLOW, e.getMessage());
      return;
    } catch (SongLimitException e) {
      reject(response, format, Rejection.SONG_LIMIT, e.getMessage());
      return;
    }
    sendCounts(response, format, counts);
  }

  private static void sendCounts(HttpServletResponse response, CountsFormat format,
      Map<String, Long> counts) throws IOException {
    ResponseBody body = new ResponseBody(response, false, 200, format.contentType());
    CountsWriter writer = format.writer(body);
    for (Map.Entry<String, Long> entry : counts.entrySet()) {
      writer.write(entry.getKey(), entry.getValue());
    }
    writer.finish();
    body.finish();
  }

  /** Bulk {@code POST /} with {@code fsync=always}, answered once on disk: see playLater. */
  private void addLater(HttpServletRequest request, HttpServletResponse response,
      CountsFormat format, Map<String, Long> plays, KeyedRequest keyed) {
    LaterAnswer later = later(request, response, Route.SONGS, format);
    try {
      store.add(plays, keyed, (counts, failure) -> later.answer(() -> {
        if (failure != null) {
          reject(response, format, Rejection.STORAGE_FAILED, failure.getMessage());
        } else {
          metrics.played(plays.values().stream().mapToLong(Long::longValue).sum());
          sendCounts(response, format, counts);
        }
      }));
    } catch (CountOverflowException e) {
      later.answerNow(() -> reject(response, format, Rejection.COUNT_OVERFLOW, e.getMessage()));
    } catch (SongLimitException e) {
      later.answerNow(() -> reject(response, format, Rejection.SONG_LIMIT, e.getMessage()));
    } catch (StorageFailedException e) {
      later.answerNow(() -> reject(response, format, Rejection.STORAGE_FAILED, e.getMessage()));
    }
  }

  /** Drains and streams the counts; if they cannot be delivered, the store puts them back. */
  private void sendDrain(HttpServletResponse response, CountsFormat format) throws IOException {
    Drained drained;
    try {
      drained = store.drain(taken -> {
        response.setHeader("Preference-Applied", "return=representation");
        sendCounts(response, false, 200, format, taken::forEach);
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

  private boolean authorized(HttpServletRequest request, HttpServletResponse response,
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

  private void reject(HttpServletRequest request, HttpServletResponse response,
      Rejection rejection, String message) throws IOException {
    CountsFormat format = RequestHeaders.choose(request.getHeader("Accept"));
    reject(response, format == null ? CountsFormat.TEXT : format, rejection, message);
  }

  /** Answers a one-line error in the negotiated format; never the container's error page. */
  private void reject(HttpServletResponse response, CountsFormat format, Rejection rejection,
      String message) throws IOException {
    metrics.rejected(rejection);
    rejectionLog.record(rejection, message);
    String body = format == CountsFormat.JSON ? "{\"error\":" + Json.quote(message) + "}"
        : message;
    ResponseBody.send(response, false, rejection.status(), format.contentType(), body);
  }

  private static String pathInContext(HttpServletRequest request) {
    String uri = request.getRequestURI();
    String context = request.getContextPath();
    String path = uri.startsWith(context) ? uri.substring(context.length()) : uri;
    return path.isEmpty() ? "/" : path;
  }
}
