package org.playcounter.server;

import java.util.Enumeration;
import java.util.Locale;
import org.playcounter.wire.CountsFormat;

/**
 * The request headers that choose what a request gets: {@code Accept}, {@code Content-Type} and
 * {@code Prefer}. Content negotiation (RFC 9110 section 12.5.1) gives each of the two formats the
 * quality of the most specific media range that matches it; the higher quality wins, then the
 * more specific match, then plain text, the original format.
 */
final class RequestHeaders {
  private static final int NO_MATCH = -1;

  private RequestHeaders() {}

  /** The format to answer in, or null when {@code accept} allows neither (406). */
  static CountsFormat choose(String accept) {
    if (accept == null || accept.isEmpty() || accept.equals("*/*")
        || accept.equals("text/plain")) {
      return CountsFormat.TEXT; // the common cases, decided without parsing
    }
    if (accept.equals("application/json")) {
      return CountsFormat.JSON;
    }
    Match text = new Match();
    Match json = new Match();
    for (String range : accept.split(",")) {
      String[] parts = range.split(";");
      if (parts.length == 0) {
        continue; // nothing but separators
      }
      String type = parts[0].trim().toLowerCase(Locale.ROOT);
      double quality = quality(parts);
      if (Double.isNaN(quality)) {
        continue; // a malformed q: ignore this range, as if it were absent
      }
      text.offer(specificity(type, "text", "plain"), quality);
      json.offer(specificity(type, "application", "json"), quality);
    }
    if (text.quality <= 0 && json.quality <= 0) {
      return null;
    }
    if (json.quality != text.quality) {
      return json.quality > text.quality ? CountsFormat.JSON : CountsFormat.TEXT;
    }
    return json.specificity > text.specificity ? CountsFormat.JSON : CountsFormat.TEXT;
  }

  /** True when the client named a preference beyond "anything": absent and wildcard are not. */
  static boolean isExplicit(String accept) {
    return accept != null && !accept.isBlank() && !accept.trim().equals("*/*");
  }

  private static int specificity(String range, String type, String subtype) {
    if (range.equals("*/*")) {
      return 1;
    }
    int slash = range.indexOf('/');
    if (slash < 0 || !range.substring(0, slash).equals(type)) {
      return NO_MATCH;
    }
    String sub = range.substring(slash + 1);
    return sub.equals("*") ? 2 : sub.equals(subtype) ? 3 : NO_MATCH;
  }

  private static double quality(String[] parts) {
    for (int i = 1; i < parts.length; i++) {
      String param = parts[i].trim();
      if (param.length() > 2 && (param.charAt(0) == 'q' || param.charAt(0) == 'Q')
          && param.charAt(1) == '=') {
        try {
          double q = Double.parseDouble(param.substring(2).trim());
          return q >= 0 && q <= 1 ? q : Double.NaN;
        } catch (NumberFormatException e) {
          return Double.NaN;
        }
      }
    }
    return 1;
  }

  /** The most specific range seen so far for one format, and its quality. */
  private static final class Match {
    int specificity = NO_MATCH;
    double quality = 0;

    void offer(int rangeSpecificity, double rangeQuality) {
      if (rangeSpecificity > specificity) {
        specificity = rangeSpecificity;
        quality = rangeQuality;
      }
    }
  }

  /** True when a {@code Prefer} header asks for {@code return=representation} (RFC 7240). */
  static boolean prefersRepresentation(Enumeration<String> headers) {
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
  static CountsFormat bodyFormat(String contentType) {
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
}
