package org.playcounter.server;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import org.playcounter.wire.Json;

/** The resources of the service, told apart by the shape of the path within the context. */
enum Route {
  /** {@code /}: every song. */
  SONGS("songs", "GET, HEAD, POST, DELETE, OPTIONS"),
  /** {@code /song/{id}}: one song. */
  SONG("song", "GET, HEAD, POST, DELETE, OPTIONS"),
  /** {@code /drains}: the pending drains; POST makes one. */
  DRAINS("drains", "GET, HEAD, POST, OPTIONS"),
  /** {@code /drains/{n}}: one pending drain; DELETE acknowledges it. */
  DRAIN("drain", "GET, HEAD, DELETE, OPTIONS"),
  /** {@code /health}: readiness, whether the counter takes plays, and its warnings. */
  HEALTH("health", "GET, HEAD, OPTIONS"),
  /** {@code /health/live}: liveness, whether the servlet serves at all. */
  LIVENESS("health_live", "GET, HEAD, OPTIONS"),
  /** {@code /metrics}: Prometheus text or OpenMetrics exposition. */
  METRICS("metrics", "GET, HEAD, OPTIONS"),
  /** {@code /openapi.json}: the OpenAPI document of the contract, unless the setting is off. */
  OPENAPI("openapi", "GET, HEAD, OPTIONS"),
  /** Anything else: 404. */
  NONE("other", "");

  /** The prefix of a song's path; the rest is the raw id. */
  static final String SONG_PREFIX = "/song/";
  /** The prefix of a pending drain's path; the rest is its number. */
  static final String DRAIN_PREFIX = "/drains/";

  private final String label;
  private final String allow;

  Route(String label, String allow) {
    this.label = label;
    this.allow = allow;
  }

  static Route of(String path) {
    if (path.startsWith(SONG_PREFIX)) {
      return SONG;
    }
    if (path.startsWith(DRAIN_PREFIX)) {
      return DRAIN;
    }
    return switch (path) {
      case "/" -> SONGS;
      case "/health" -> HEALTH;
      case "/health/live" -> LIVENESS;
      case "/metrics" -> METRICS;
      case "/openapi.json" -> OPENAPI;
      case "/drains" -> DRAINS;
      default -> NONE;
    };
  }

  /**
   * Null when every parameter of the raw query string {@code query} (null: none) is one this
   * resource takes, else a one-line reason (400). {@code /} keeps its own rules; {@code /metrics}
   * takes {@code name[]}, the series to answer (the Prometheus library's filter); the rest none.
   * Read from the query string alone, never through {@code getParameter}, which would consume a
   * form-encoded body.
   */
  String queryProblem(String query) {
    if (query == null || query.isEmpty() || this == SONGS) {
      return null;
    }
    for (String parameter : query.split("&")) {
      String raw = parameter.split("=", 2)[0];
      if (raw.isEmpty()) {
        continue; // "?&" or "?=x": nothing named
      }
      String name = parameterName(raw);
      if (name == null) {
        return MALFORMED_QUERY;
      }
      if (this != METRICS || !name.equals("name[]")) {
        String shown = Json.quote(name.length() > 40 ? name.substring(0, 40) + "..." : name);
        return "query parameter " + shown + " is not taken here: " + (this == METRICS
            ? "/metrics takes only name[]" : "this resource takes no query parameters");
      }
    }
    return null;
  }

  /** The reason a query parameter's name that does not decode is refused. */
  static final String MALFORMED_QUERY = "malformed percent-escape in the query string";

  /**
   * A query parameter's raw name decoded as a form's is ({@code +} a space), or null when its
   * percent-escapes are malformed.
   */
  static String parameterName(String raw) {
    if (raw.indexOf('%') < 0 && raw.indexOf('+') < 0) {
      return raw;
    }
    try {
      return URLDecoder.decode(raw, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The metric label. */
  String label() {
    return label;
  }

  /** The {@code Allow} header: the methods this resource takes. */
  String allow() {
    return allow;
  }

  /** True when {@code method} is one this resource takes. */
  boolean allows(String method) {
    return switch (method) {
      case "GET", "HEAD", "OPTIONS" -> this != NONE;
      case "POST" -> this == SONGS || this == SONG || this == DRAINS;
      case "DELETE" -> this == SONGS || this == SONG || this == DRAIN;
      default -> false;
    };
  }
}
