package org.playcounter.server;

/** The resources of the service, told apart by the shape of the path within the context. */
enum Route {
  /** {@code /}: every song. */
  SONGS("songs", "GET, HEAD, POST, DELETE, OPTIONS"),
  /** {@code /song/{id}}: one song. */
  SONG("song", "GET, HEAD, POST, DELETE, OPTIONS"),
  /** {@code /health}: whether the counter can take writes. */
  HEALTH("health", "GET, HEAD, OPTIONS"),
  /** {@code /metrics}: Prometheus text exposition. */
  METRICS("metrics", "GET, HEAD, OPTIONS"),
  /** Anything else: 404. */
  NONE("other", "");

  /** The prefix of a song's path; the rest is the raw id. */
  static final String SONG_PREFIX = "/song/";

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
    return switch (path) {
      case "/" -> SONGS;
      case "/health" -> HEALTH;
      case "/metrics" -> METRICS;
      default -> NONE;
    };
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
      case "POST", "DELETE" -> this == SONGS || this == SONG;
      default -> false;
    };
  }
}
