package org.playcounter.server;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.playcounter.store.Drained;
import org.playcounter.store.PlayCountStore;
import org.playcounter.store.StorageFailedException;
import org.playcounter.wire.CountsFormat;
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
  private transient Replies replies;
  private transient KeyedWrites keyedWrites;
  private transient DrainRequests drainRequests;
  private transient PlayRequests playRequests;
  /** The OpenAPI document, or null when the {@code openapi} setting is off. */
  private transient OpenApiDocument openApi;
  /** Request attribute: this request is counted in the request metrics already. */
  private static final String COUNTED = PlayCounterServlet.class.getName() + ".counted";

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
    replies = new Replies(metrics, new RejectionLog(context::log), adminToken);
    keyedWrites = new KeyedWrites(store, replies);
    drainRequests = new DrainRequests(store, settings, metrics, replies, keyedWrites);
    playRequests = new PlayRequests(store, settings, metrics, replies, keyedWrites);
    openApi = settings.openapi() ? OpenApiDocument.load() : null;
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    long start = System.nanoTime();
    response.setHeader("Cache-Control", "no-store");
    Route route = Route.NONE;
    boolean errorDispatch = request.getDispatcherType() == DispatcherType.ERROR;
    boolean failed = false;
    boolean completed = false;
    try {
      if (errorDispatch) {
        replies.containerError(request, response);
      } else {
        String path = Replies.pathInContext(request);
        route = Route.of(path);
        if (route == Route.OPENAPI && openApi == null) {
          route = Route.NONE; // switched off: as unknown as any other path
        }
        answer(request, response, route, path);
      }
      completed = true;
    } catch (RuntimeException e) {
      failed = true;
      throw e;
    } finally {
      // Once per request: a RuntimeException that escapes is counted here as the 500 it becomes
      // (an IOException, the client gone, with the status it was being sent), and the
      // container's error dispatch of it comes back through here uncounted, as does that of a
      // refusal the container took over (Replies.REFUSAL). Only a request that may come back
      // is marked: setting an attribute costs Jetty a map per request.
      if (request.getAttribute(LaterAnswer.ATTRIBUTE) == null
          && !(errorDispatch && (request.getAttribute(COUNTED) != null
              || request.getAttribute(Replies.REFUSAL) != null))) {
        if (!completed || errorDispatch) {
          request.setAttribute(COUNTED, Boolean.TRUE);
        }
        metrics.answered(route, failed ? 500 : response.getStatus(), start);
      }
    }
  }

  private void answer(HttpServletRequest request, HttpServletResponse response, Route route,
      String path) throws IOException {
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
    CountsFormat format = RequestHeaders.choose(RequestHeaders.accept(request));
    if (format == null && method.equals("OPTIONS")) {
      format = CountsFormat.TEXT; // OPTIONS has no body to negotiate
    } else if (format == null && route != Route.METRICS) {
      replies.reject(response, CountsFormat.TEXT, Rejection.NOT_ACCEPTABLE,
          "Not Acceptable: this resource is text/plain or application/json");
      return;
    }
    String badQuery = route.queryProblem(request.getQueryString());
    if (badQuery != null) {
      replies.reject(response, format == null ? CountsFormat.TEXT : format, Rejection.BAD_QUERY,
          badQuery);
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
        case HEALTH -> {
          Health health = Health.of(store);
          ResponseBody.send(response, method.equals("HEAD"), health.status(),
              CountsFormat.TEXT.contentType(), health.body());
        }
        case LIVENESS -> ResponseBody.send(response, method.equals("HEAD"), 200,
            CountsFormat.TEXT.contentType(), "OK");
        case METRICS -> metrics.scrape(request, response);
        case OPENAPI -> openApi.send(response, method.equals("HEAD"));
        default -> replies.reject(response, format, Rejection.NOT_FOUND, "Not Found");
      }
    } catch (RuntimeException e) {
      if (Rejection.ofStoreRefusal(e) == null) {
        throw e;
      }
      if (!response.isCommitted()) { // else a streamed body is cut short, which the client sees
        response.resetBuffer();
        replies.refused(response, format == null ? CountsFormat.TEXT : format, e);
      }
    }
  }

  /** {@code /}: every song at once, or those its {@code id} parameters name. */
  private void songs(HttpServletRequest request, HttpServletResponse response, String method,
      CountsFormat format) throws IOException {
    SongsQuery query = SongsQuery.of(request.getQueryString(), method);
    if (query.problem() != null) {
      replies.reject(response, format, query.rejection(), query.problem());
      return;
    }
    switch (method) {
      case "GET", "HEAD" -> Replies.sendCounts(response, method.equals("HEAD"), 200, format,
          query.everySong() ? store::snapshot : query.counts(store));
      case "POST" -> playRequests.add(request, response, format);
      case "DELETE" -> {
        if (!replies.authorized(request, response, format)) {
          return;
        }
        if (RequestHeaders.prefersRepresentation(request.getHeaders("Prefer"))) {
          sendDrain(response, format);
        } else {
          store.reset();
          ResponseBody.send(response, false, 200, format.contentType(),
              format == CountsFormat.JSON ? "{\"deleted\":true}" : "OK");
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
        playRequests.play(request, response, format, id);
        return;
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
}
