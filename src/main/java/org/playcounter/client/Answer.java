package org.playcounter.client;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * A server's whole answer to one request: status, the headers the client reads, and the body as
 * text.
 *
 * @param status the HTTP status
 * @param body the body, empty for none
 * @param headers name and value pairs in the order received
 */
record Answer(int status, String body, List<String[]> headers) {
  /** The first value of the header named {@code name} (any case), or null. */
  String header(String name) {
    for (String[] header : headers) {
      if (header[0].equalsIgnoreCase(name)) {
        return header[1];
      }
    }
    return null;
  }

  /** Every value of the header named {@code name} (any case), in order. */
  List<String> headers(String name) {
    List<String> values = new ArrayList<>(1);
    for (String[] header : headers) {
      if (header[0].equalsIgnoreCase(name)) {
        values.add(header[1]);
      }
    }
    return values;
  }

  /**
   * The wait a 409's {@code Retry-After} asks for (delta-seconds or an HTTP-date), or null when
   * it has none: then the 409 is the answer (too many pending drains, a count that would
   * overflow), not a request to come back.
   */
  Duration retryAfter() {
    String value = header("Retry-After");
    if (value == null) {
      return null;
    }
    try {
      return Duration.ofSeconds(Math.max(0, Long.parseLong(value.strip())));
    } catch (NumberFormatException notSeconds) {
      try {
        Duration until = Duration.between(Instant.now(),
            ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME));
        return until.isNegative() ? Duration.ZERO : until;
      } catch (DateTimeParseException notADate) {
        return Duration.ZERO; // a Retry-After we cannot read still says "again"
      }
    }
  }
}
