package org.playcounter.server;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Enumeration;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.playcounter.wire.CountsFormat;

/**
 * The request headers that choose what a request gets: {@code Accept}, {@code Content-Type} and
 * {@code Prefer}. Content negotiation (RFC 9110 section 12.5.1) gives each of the two formats the
 * quality of the most specific media range that matches it; the higher quality wins, then the
 * more specific match, then plain text, the original format. Empty list elements are ignored (RFC
 * 9110 section 5.6.1), so {@code Accept: ,} is no preference; a range whose {@code q} is not an
 * RFC 9110 qvalue ({@code 0x1p-1}, {@code 0.5000}, {@code 1e0}) matches nothing.
 */
final class RequestHeaders {
  private static final int NO_MATCH = -1;
  /** RFC 9110 section 12.4.2: {@code 0(.ddd)?} or {@code 1(.000)?}, nothing else. */
  private static final Pattern QVALUE = Pattern.compile("0(\\.[0-9]{0,3})?|1(\\.0{0,3})?");
  /**
   * The charsets a bulk body may declare: UTF-8, and those in which every ASCII byte means what
   * it means in UTF-8 and which clients send by default (REST Assured and older Java clients label
   * text ISO-8859-1); ids and counts are ASCII, so such a body reads the same either way.
   */
  private static final Set<String> BODY_CHARSETS = Set.of("utf-8", "us-ascii", "iso-8859-1");

  private RequestHeaders() {}

  /**
   * The request's {@code Accept} lines as one list (RFC 9110 section 5.3: two lines are one list
   * joined by commas), or null when there are none.
   */
  static String accept(HttpServletRequest request) {
    Enumeration<String> lines = request.getHeaders("Accept");
    if (lines == null || !lines.hasMoreElements()) {
      return null;
    }
    String first = lines.nextElement();
    if (!lines.hasMoreElements()) {
      return first;
    }
    StringBuilder all = new StringBuilder(first);
    while (lines.hasMoreElements()) {
      all.append(',').append(lines.nextElement());
    }
    return all.toString();
  }

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
    boolean anyRange = false;
    for (String range : accept.split(",")) {
      if (range.isBlank()) {
        continue; // an empty list element
      }
      anyRange = true;
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
    if (!anyRange) {
      return CountsFormat.TEXT; // an empty list: no preference
    }
    if (text.quality <= 0 && json.quality <= 0) {
      return null;
    }
    if (json.quality != text.quality) {
      return json.quality > text.quality ? CountsFormat.JSON : CountsFormat.TEXT;
    }
    return json.specificity > text.specificity ? CountsFormat.JSON : CountsFormat.TEXT;
  }

  /**
   * True when the client named a preference beyond "anything": absent, empty elements and the
   * wildcard are not.
   */
  static boolean isExplicit(String accept) {
    if (accept == null) {
      return false;
    }
    for (String range : accept.split(",")) {
      if (!range.isBlank() && !range.trim().equals("*/*")) {
        return true;
      }
    }
    return false;
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
        String q = param.substring(2).trim();
        return QVALUE.matcher(q).matches() ? Double.parseDouble(q) : Double.NaN;
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

  /**
   * Null when the {@code charset} parameter of {@code contentType} is absent or one the body can
   * be read in, else a one-line reason (415): a body is read as UTF-8.
   */
  static String charsetProblem(String contentType) {
    if (contentType == null) {
      return null;
    }
    String[] parts = contentType.split(";");
    for (int i = 1; i < parts.length; i++) {
      String param = parts[i].trim();
      int equals = param.indexOf('=');
      if (equals > 0 && param.substring(0, equals).trim().equalsIgnoreCase("charset")) {
        String charset = param.substring(equals + 1).trim().replace("\"", "");
        if (!BODY_CHARSETS.contains(charset.toLowerCase(Locale.ROOT))) {
          return "charset " + (charset.chars().allMatch(c -> c > ' ' && c < 0x7f)
              ? charset : "(unprintable)") + " is not supported: send the body in UTF-8";
        }
      }
    }
    return null;
  }
}
