package org.playcounter.wire;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The little JSON this service speaks: string quoting for output, and a parser for exactly one
 * shape, an object whose values are whole numbers ({@code {"1":3,"5":2}}).
 *
 * <p>Output is pure ASCII (everything else is {@code \\uXXXX}-escaped), so it can be written
 * byte for byte without a charset encoder.
 */
public final class Json {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Json() {}

  /** Appends {@code s} as a quoted JSON string. */
  public static void quote(CharSequence s, Appendable out) throws IOException {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20 || c >= 0x7f) {
            out.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 15])
                .append(HEX[(c >> 4) & 15]).append(HEX[c & 15]);
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  /** Returns {@code s} as a quoted JSON string. */
  public static String quote(CharSequence s) {
    StringBuilder out = new StringBuilder(s.length() + 2);
    try {
      quote(s, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringBuilder does not throw
    }
    return out.toString();
  }

  /** One song's count: {@code {"id":"1","count":3}}. */
  public static String count(String id, long count) {
    return "{\"id\":" + quote(id) + ",\"count\":" + count + "}";
  }

  /** An error: {@code {"error":"..."}}. */
  public static String error(String message) {
    return "{\"error\":" + quote(message) + "}";
  }

  /**
   * Parses a JSON object of song ids to counts, in body order.
   *
   * @param maxCount the largest count accepted; the smallest is 1
   * @throws MalformedCountsException naming the first bad pair, or the offset where the JSON
   *     itself breaks
   */
  static Map<String, Long> parseCounts(CharSequence body, long maxCount, boolean repeatsAllowed)
      throws MalformedCountsException {
    return parseCounts(body, 1, maxCount, repeatsAllowed);
  }

  /** {@link #parseCounts(CharSequence, long, boolean)} with counts from {@code minCount}. */
  static Map<String, Long> parseCounts(CharSequence body, long minCount, long maxCount,
      boolean repeatsAllowed) throws MalformedCountsException {
    return new Parser(body, minCount, maxCount, repeatsAllowed).object();
  }

  private static final class Parser {
    private final CharSequence in;
    private final long minCount;
    private final long maxCount;
    private final boolean repeatsAllowed;
    private int pos;

    Parser(CharSequence in, long minCount, long maxCount, boolean repeatsAllowed) {
      this.in = in;
      this.minCount = minCount;
      this.maxCount = maxCount;
      this.repeatsAllowed = repeatsAllowed;
    }

    Map<String, Long> object() throws MalformedCountsException {
      Map<String, Long> counts = new LinkedHashMap<>();
      skipSpace();
      expect('{', "a JSON object");
      skipSpace();
      if (peek() == '}') {
        pos++;
      } else {
        for (int pair = 1; ; pair++) {
          skipSpace();
          if (peek() != '"') {
            throw broken("a string key for pair " + pair);
          }
          String id = string();
          skipSpace();
          expect(':', "':' after the key of pair " + pair);
          skipSpace();
          String where = "pair " + pair + " (" + CountsFormat.shown(id) + "): ";
          long count = count(where);
          String problem = SongId.problem(id);
          if (problem != null) {
            throw new MalformedCountsException(where + problem);
          }
          if (repeatsAllowed) {
            counts.remove(id); // the later pair is the newer; keep body order for it
          }
          if (counts.putIfAbsent(id, count) != null) {
            throw new MalformedCountsException(where + "song id appears twice");
          }
          skipSpace();
          char c = peek();
          pos++;
          if (c == '}') {
            break;
          }
          if (c != ',') {
            pos--;
            throw broken("',' or '}' after pair " + pair);
          }
        }
      }
      skipSpace();
      if (pos < in.length()) {
        throw broken("the end of the body after the object");
      }
      return counts;
    }

    private long count(String where) throws MalformedCountsException {
      int start = pos;
      while (pos < in.length() && "+-0123456789.eE".indexOf(in.charAt(pos)) >= 0) {
        pos++;
      }
      if (start == pos) {
        char c = peek();
        if (c == '"' || c == '{' || c == '[' || c == 't' || c == 'f' || c == 'n') {
          throw new MalformedCountsException(where + CountsFormat.wholeNumber(minCount, maxCount));
        }
        throw broken("a number");
      }
      if (pos - start > 1 && in.charAt(start) == '0' && Character.isDigit(in.charAt(start + 1))) {
        throw new MalformedCountsException(where + "a JSON number has no leading zero");
      }
      return CountsFormat.parseCount(in.subSequence(start, pos), minCount, maxCount, where);
    }

    private String string() throws MalformedCountsException {
      StringBuilder s = new StringBuilder();
      pos++; // the opening quote
      while (true) {
        if (pos >= in.length()) {
          throw broken("a closing '\"'");
        }
        char c = in.charAt(pos++);
        if (c == '"') {
          return s.toString();
        }
        if (c < 0x20) {
          pos--;
          throw broken("no control character inside a string");
        }
        if (c != '\\') {
          s.append(c);
          continue;
        }
        char e = pos < in.length() ? in.charAt(pos++) : 0;
        switch (e) {
          case '"', '\\', '/' -> s.append(e);
          case 'b' -> s.append('\b');
          case 'f' -> s.append('\f');
          case 'n' -> s.append('\n');
          case 'r' -> s.append('\r');
          case 't' -> s.append('\t');
          case 'u' -> {
            int value = 0;
            for (int i = 0; i < 4; i++) {
              int digit = pos < in.length() ? Character.digit(in.charAt(pos), 16) : -1;
              if (digit < 0) {
                throw broken("four hex digits after \\u");
              }
              value = value * 16 + digit;
              pos++;
            }
            s.append((char) value);
          }
          default -> {
            pos--;
            throw broken("a valid escape after '\\'");
          }
        }
      }
    }

    private void expect(char c, String what) throws MalformedCountsException {
      if (peek() != c) {
        throw broken(what);
      }
      pos++;
    }

    private char peek() {
      return pos < in.length() ? in.charAt(pos) : 0;
    }

    private void skipSpace() {
      while (pos < in.length()) {
        char c = in.charAt(pos);
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
          return;
        }
        pos++;
      }
    }

    private MalformedCountsException broken(String expected) {
      String found = pos < in.length() ? SongId.describe(in.charAt(pos)) : "the end";
      return new MalformedCountsException(
          "malformed JSON at offset " + pos + ": expected " + expected + ", found " + found);
    }
  }
}
