package org.playcounter.server;

import jakarta.servlet.ServletContext;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * The effective settings of one deployment, read once at start-up. Each setting {@code NAME} is
 * looked up as system property {@code playcounter.NAME}, then environment variable
 * {@code PLAYCOUNTER_NAME}, then context init-param {@code playcounter.NAME}, then its default.
 *
 * @param maxBodyBytes largest request body accepted by bulk {@code POST /}; larger ones get 413
 * @param maxSongs most distinct songs held at once; a play that would add one more gets 507
 * @param adminToken bearer token every {@code DELETE} must present, or null when unset
 */
public record Settings(long maxBodyBytes, long maxSongs, String adminToken) {
  static final String MAX_BODY_BYTES = "max-body-bytes";
  static final String MAX_SONGS = "max-songs";
  static final String ADMIN_TOKEN = "admin-token";

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
  }

  /** The defaults: 1 MiB bodies, 10 million songs, no admin token. */
  public static Settings defaults() {
    return new Settings(1 << 20, 10_000_000L, null);
  }

  /** Reads the settings of the deployment behind {@code context}. */
  static Settings read(ServletContext context) {
    return read(System::getProperty, System::getenv, context::getInitParameter);
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
        source.text(ADMIN_TOKEN, defaults.adminToken()));
  }

  /** One line for the start-up log; the admin token is never shown. */
  String describe() {
    return "playcounter settings: " + MAX_BODY_BYTES + "=" + maxBodyBytes
        + ", " + MAX_SONGS + "=" + maxSongs
        + ", " + ADMIN_TOKEN + "=" + (adminToken == null ? "(unset)" : "(set, masked)");
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

    static String envName(String name) {
      return "PLAYCOUNTER_" + name.toUpperCase(Locale.ROOT).replace('-', '_');
    }
  }
}
