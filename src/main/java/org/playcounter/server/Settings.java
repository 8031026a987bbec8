package org.playcounter.server;

import jakarta.servlet.ServletContext;
import java.util.Locale;
import java.util.function.UnaryOperator;
import org.playcounter.store.KeyLimits;

/**
 * The effective settings of one deployment, read once at start-up. Each setting {@code NAME} is
 * looked up as system property {@code playcounter.NAME}, then environment variable
 * {@code PLAYCOUNTER_NAME}, then context init-param {@code playcounter.NAME}, then its default.
 *
 * @param maxBodyBytes largest request body accepted by bulk {@code POST /}; larger ones get 413
 * @param maxSongs most distinct songs held at once; a play that would add one more gets 507
 * @param adminToken bearer token every {@code DELETE} must present, or null when unset
 * @param dataDir directory of the journal and snapshot, or null to keep counts in memory only;
 *     {@value #CONTEXT} in it stands for the deployment's context path ({@code ROOT} for
 *     {@code /}), so that one setting gives every deployment in a container a directory of its
 *     own
 * @param fsyncAlways true to fsync every change before it is acknowledged (group commit);
 *     false to fsync every {@code fsyncIntervalMs}
 * @param fsyncIntervalMs the longest a change waits to be fsync'd with {@code fsync=interval}
 * @param journalMaxBytes journal size past which a snapshot is written and the journal restarts
 * @param maxPendingDrains most pending drains ({@code POST /drains}) held at once; one more gets
 *     409
 * @param idempotencyWindowMs how long an {@code Idempotency-Key} is remembered
 * @param maxIdempotencyKeys most keys remembered at once; the oldest go first
 * @param maxIdempotencyAnswerBytes most bytes of remembered bulk answers (and of those reserved
 *     by keyed bulk adds in progress); the oldest go first, and a keyed bulk add whose answer
 *     could never fit gets 413
 * @param openapi true to serve the OpenAPI document at {@code /openapi.json}; false answers it
 *     404, as any unknown path
 */
public record Settings(long maxBodyBytes, long maxSongs, String adminToken, String dataDir,
    boolean fsyncAlways, long fsyncIntervalMs, long journalMaxBytes, long maxPendingDrains,
    long idempotencyWindowMs, long maxIdempotencyKeys, long maxIdempotencyAnswerBytes,
    boolean openapi) {
  static final String MAX_BODY_BYTES = "max-body-bytes";
  static final String MAX_SONGS = "max-songs";
  static final String ADMIN_TOKEN = "admin-token";
  static final String DATA_DIR = "data-dir";
  static final String FSYNC = "fsync";
  static final String FSYNC_INTERVAL_MS = "fsync-interval-ms";
  static final String JOURNAL_MAX_BYTES = "journal-max-bytes";
  static final String MAX_PENDING_DRAINS = "max-pending-drains";
  static final String IDEMPOTENCY_WINDOW_MS = "idempotency-window-ms";
  static final String MAX_IDEMPOTENCY_KEYS = "max-idempotency-keys";
  static final String MAX_IDEMPOTENCY_ANSWER_BYTES = "max-idempotency-answer-bytes";
  static final String OPENAPI = "openapi";
  /** Stands for the context path in {@code data-dir}. */
  static final String CONTEXT = "{context}";

  public Settings {
    if (maxBodyBytes < 1 || maxBodyBytes > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(MAX_BODY_BYTES + " out of range: " + maxBodyBytes);
    }
    if (maxSongs < 1) {
      throw new IllegalArgumentException(MAX_SONGS + " < 1: " + maxSongs);
    }
    if (adminToken != null && adminToken.isBlank()) {
      throw new IllegalArgumentException(ADMIN_TOKEN + " is blank");
    }
    if (dataDir != null && dataDir.isBlank()) {
      throw new IllegalArgumentException(DATA_DIR + " is blank");
    }
    if (fsyncIntervalMs < 1) {
      throw new IllegalArgumentException(FSYNC_INTERVAL_MS + " < 1: " + fsyncIntervalMs);
    }
    if (journalMaxBytes < 4096 || journalMaxBytes > 1L << 30) {
      throw new IllegalArgumentException(JOURNAL_MAX_BYTES + " out of range 4096..1073741824: "
          + journalMaxBytes);
    }
    if (maxPendingDrains < 1 || maxPendingDrains > 1000) {
      throw new IllegalArgumentException(MAX_PENDING_DRAINS + " out of range 1..1000: "
          + maxPendingDrains);
    }
    if (idempotencyWindowMs < 1) {
      throw new IllegalArgumentException(IDEMPOTENCY_WINDOW_MS + " < 1: " + idempotencyWindowMs);
    }
    if (maxIdempotencyKeys < 1 || maxIdempotencyKeys > 100_000_000) {
      throw new IllegalArgumentException(MAX_IDEMPOTENCY_KEYS + " out of range 1..100000000: "
          + maxIdempotencyKeys);
    }
    if (maxIdempotencyAnswerBytes < 0) {
      throw new IllegalArgumentException(MAX_IDEMPOTENCY_ANSWER_BYTES + " < 0: "
          + maxIdempotencyAnswerBytes);
    }
  }

  /** The key limits of the store. */
  KeyLimits keyLimits() {
    return new KeyLimits(idempotencyWindowMs, (int) maxIdempotencyKeys,
        maxIdempotencyAnswerBytes);
  }

  /**
   * The defaults: 1 MiB bodies, 10 million songs, no admin token, memory only, the OpenAPI
   * document served.
   */
  public static Settings defaults() {
    return new Settings(1 << 20, 10_000_000L, null, null, false, 1000, 32L << 20, 8, 600_000,
        1_000_000, KeyLimits.DEFAULT.maxAnswerBytes(), true);
  }

  /** Reads the settings of the deployment behind {@code context}. */
  static Settings read(ServletContext context) {
    Settings settings = read(System::getProperty, System::getenv, context::getInitParameter);
    return settings.dataDir() == null || !settings.dataDir().contains(CONTEXT) ? settings
        : settings.withDataDir(settings.dataDir().replace(CONTEXT,
            contextName(context.getContextPath())));
  }

  /** The name {@value #CONTEXT} stands for: {@code ROOT} for {@code /}, else the path's. */
  static String contextName(String contextPath) {
    String name = contextPath.replaceFirst("^/", "");
    return name.isEmpty() ? "ROOT" : name.replace('/', '#');
  }

  Settings withDataDir(String dir) {
    return new Settings(maxBodyBytes, maxSongs, adminToken, dir, fsyncAlways, fsyncIntervalMs,
        journalMaxBytes, maxPendingDrains, idempotencyWindowMs, maxIdempotencyKeys,
        maxIdempotencyAnswerBytes, openapi);
  }

  /**
   * Reads the settings from the three sources, first match wins.
   *
   * @throws IllegalArgumentException naming the setting and its source when a value is invalid
   */
  static Settings read(UnaryOperator<String> systemProperties, UnaryOperator<String> environment,
      UnaryOperator<String> initParameters) {
    Source source = new Source(systemProperties, environment, initParameters);
    Settings defaults = defaults();
    return new Settings(
        source.number(MAX_BODY_BYTES, defaults.maxBodyBytes()),
        source.number(MAX_SONGS, defaults.maxSongs()),
        source.text(ADMIN_TOKEN, defaults.adminToken()),
        source.text(DATA_DIR, defaults.dataDir()),
        source.fsyncAlways(),
        source.number(FSYNC_INTERVAL_MS, defaults.fsyncIntervalMs()),
        source.number(JOURNAL_MAX_BYTES, defaults.journalMaxBytes()),
        source.number(MAX_PENDING_DRAINS, defaults.maxPendingDrains()),
        source.number(IDEMPOTENCY_WINDOW_MS, defaults.idempotencyWindowMs()),
        source.number(MAX_IDEMPOTENCY_KEYS, defaults.maxIdempotencyKeys()),
        source.number(MAX_IDEMPOTENCY_ANSWER_BYTES, defaults.maxIdempotencyAnswerBytes()),
        source.flag(OPENAPI, defaults.openapi()));
  }

  /** One line for the start-up log; the admin token is never shown. */
  String describe() {
    return "playcounter settings: " + MAX_BODY_BYTES + "=" + maxBodyBytes
        + ", " + MAX_SONGS + "=" + maxSongs
        + ", " + ADMIN_TOKEN + "=" + (adminToken == null ? "(unset)" : "(set, masked)")
        + ", " + DATA_DIR + "=" + (dataDir == null ? "(unset: memory only)" : dataDir)
        + ", " + FSYNC + "=" + (fsyncAlways ? "always" : "interval")
        + ", " + FSYNC_INTERVAL_MS + "=" + fsyncIntervalMs
        + ", " + JOURNAL_MAX_BYTES + "=" + journalMaxBytes
        + ", " + MAX_PENDING_DRAINS + "=" + maxPendingDrains
        + ", " + IDEMPOTENCY_WINDOW_MS + "=" + idempotencyWindowMs
        + ", " + MAX_IDEMPOTENCY_KEYS + "=" + maxIdempotencyKeys
        + ", " + MAX_IDEMPOTENCY_ANSWER_BYTES + "=" + maxIdempotencyAnswerBytes
        + ", " + OPENAPI + "=" + openapi;
  }

  @Override
  public String toString() {
    return describe();
  }

  private record Source(UnaryOperator<String> systemProperties,
      UnaryOperator<String> environment, UnaryOperator<String> initParameters) {

    String text(String name, String fallback) {
      String value = systemProperties.apply("playcounter." + name);
      if (value == null) {
        value = environment.apply(envName(name));
      }
      if (value == null) {
        value = initParameters.apply("playcounter." + name);
      }
      return value == null ? fallback : value.trim();
    }

    long number(String name, long fallback) {
      String value = text(name, null);
      if (value == null) {
        return fallback;
      }
      try {
        return Long.parseLong(value.replace("_", ""));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "setting " + name + " is not a whole number: '" + value + "'");
      }
    }

    boolean flag(String name, boolean fallback) {
      String value = text(name, null);
      if (value == null) {
        return fallback;
      }
      return switch (value.toLowerCase(Locale.ROOT)) {
        case "true" -> true;
        case "false" -> false;
        default -> throw new IllegalArgumentException(
            "setting " + name + " must be true or false: '" + value + "'");
      };
    }

    boolean fsyncAlways() {
      String value = text(FSYNC, "interval");
      return switch (value.toLowerCase(Locale.ROOT)) {
        case "always" -> true;
        case "interval" -> false;
        default -> throw new IllegalArgumentException(
            "setting " + FSYNC + " must be always or interval: '" + value + "'");
      };
    }

    static String envName(String name) {
      return "PLAYCOUNTER_" + name.toUpperCase(Locale.ROOT).replace('-', '_');
    }
  }
}
