package org.playcounter.wire;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The two wire formats of a set of counts: {@code TEXT} is the original {@code 1=3,5=2},
 * {@code JSON} is the object {@code {"1":3,"5":2}}.
 *
 * <p>Both are written as a stream through {@link #writer} and read back whole with
 * {@link #parse}, which validates every pair before it returns anything.
 */
public enum CountsFormat {
  TEXT("text/plain;charset=UTF-8"),
  JSON("application/json");

  /** The largest count one bulk pair may add: 2^53, the largest integer every JSON peer keeps. */
  public static final long MAX_BULK_COUNT = 1L << 53;

  private static final int SNIPPET_LENGTH = 40;

  private final String contentType;

  CountsFormat(String contentType) {
    this.contentType = contentType;
  }

  /** The {@code Content-Type} of a body in this format. */
  public String contentType() {
    return contentType;
  }

  /** Starts writing a body in this format to {@code out}. */
  public CountsWriter writer(Appendable out) throws IOException {
    return new CountsWriter(this, out);
  }

  /**
   * Parses a whole body into song ids and counts, in body order. An empty body (or, in text, a
   * lone trailing line break) is an empty set.
   *
   * @param maxCount the largest count accepted per pair; the smallest is 1
   * @throws MalformedCountsException naming the first bad pair: an empty pair, a bad id, a count
   *     that is not a whole number from 1 to {@code maxCount}, or a repeated id
   */
  public Map<String, Long> parse(CharSequence body, long maxCount)
      throws MalformedCountsException {
    return this == JSON ? Json.parseCounts(body, maxCount, false)
        : parseText(body, maxCount, false);
  }

  /**
   * Parses a server's list of counts ({@code GET /}). Like {@link #parse} with counts up to
   * {@link Long#MAX_VALUE}, except that a repeated id is no error: a song removed and played
   * again while the server walked its map can be listed twice, and the later pair is the newer.
   *
   * @throws MalformedCountsException naming the first bad pair
   */
  public Map<String, Long> parseListing(CharSequence body) throws MalformedCountsException {
    return this == JSON ? Json.parseCounts(body, Long.MAX_VALUE, true)
        : parseText(body, Long.MAX_VALUE, true);
  }

  /**
   * Parses a server's answer to {@code GET /?id=...}: the songs asked for with their counts, a
   * song never played as 0. Like {@link #parse} with counts from 0 to {@link Long#MAX_VALUE}.
   *
   * @throws MalformedCountsException naming the first bad pair, or a repeated id
   */
  public Map<String, Long> parseAnswer(CharSequence body) throws MalformedCountsException {
    return this == JSON ? Json.parseCounts(body, 0, Long.MAX_VALUE, false)
        : parseText(body, 0, Long.MAX_VALUE, false);
  }

  private static Map<String, Long> parseText(CharSequence body, long maxCount,
      boolean repeatsAllowed) throws MalformedCountsException {
    return parseText(body, 1, maxCount, repeatsAllowed);
  }

  private static Map<String, Long> parseText(CharSequence body, long minCount, long maxCount,
      boolean repeatsAllowed) throws MalformedCountsException {
    int end = body.length();
    if (end > 0 && body.charAt(end - 1) == '\n') {
      end--;
      if (end > 0 && body.charAt(end - 1) == '\r') {
        end--;
      }
    }
    Map<String, Long> counts = new LinkedHashMap<>();
    if (end == 0) {
      return counts;
    }
    int start = 0;
    for (int pair = 1; ; pair++) {
      int comma = start;
      while (comma < end && body.charAt(comma) != ',') {
        comma++;
      }
      CharSequence text = body.subSequence(start, comma);
      String where = "pair " + pair + " (" + shown(text) + "): ";
      if (text.length() == 0) {
        throw new MalformedCountsException("pair " + pair + " is empty");
      }
      int equals = indexOf(text, '=');
      if (equals < 0) {
        throw new MalformedCountsException(where + "expected id=count");
      }
      String id = text.subSequence(0, equals).toString();
      String problem = SongId.problem(id);
      if (problem != null) {
        throw new MalformedCountsException(where + problem);
      }
      long count = parseCount(text.subSequence(equals + 1, text.length()), minCount, maxCount,
          where);
      if (repeatsAllowed) {
        counts.remove(id); // the later pair is the newer; keep body order for it
      }
      if (counts.putIfAbsent(id, count) != null) {
        throw new MalformedCountsException(where + "song id appears twice");
      }
      if (comma == end) {
        return counts;
      }
      start = comma + 1;
    }
  }

  /**
   * Parses a decimal count from {@code minCount} (0 or 1) to {@code maxCount}: digits only, no
   * sign, no fraction.
   */
  static long parseCount(CharSequence digits, long minCount, long maxCount, String where)
      throws MalformedCountsException {
    if (digits.length() == 0 || digits.length() > 19) {
      throw new MalformedCountsException(where + wholeNumber(minCount, maxCount));
    }
    long value = 0;
    for (int i = 0; i < digits.length(); i++) {
      int d = digits.charAt(i) - '0';
      if (d < 0 || d > 9 || value > (maxCount - d) / 10) {
        throw new MalformedCountsException(where + wholeNumber(minCount, maxCount));
      }
      value = value * 10 + d;
    }
    if (value < minCount) {
      throw new MalformedCountsException(where + wholeNumber(minCount, maxCount));
    }
    return value;
  }

  static String wholeNumber(long minCount, long maxCount) {
    return "count must be a whole number from " + minCount + " to " + maxCount;
  }

  /**
   * Quotes part of what a client sent (a body, a query parameter) for a one-line, ASCII-only
   * error message: at most 40 characters of it, then {@code ...}.
   */
  public static String shown(CharSequence text) {
    boolean cut = text.length() > SNIPPET_LENGTH;
    String quoted = Json.quote(cut ? text.subSequence(0, SNIPPET_LENGTH) : text);
    return cut ? quoted.substring(0, quoted.length() - 1) + "...\"" : quoted;
  }

  private static int indexOf(CharSequence text, char c) {
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == c) {
        return i;
      }
    }
    return -1;
  }
}
