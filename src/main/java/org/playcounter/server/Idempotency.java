package org.playcounter.server;

import java.util.Enumeration;

/**
 * The {@code Idempotency-Key} request header (API section 7; IETF
 * draft-ietf-httpapi-idempotency-key-header): a structured-field string, {@code "..."} with
 * {@code \"} and {@code \\} escapes (RFC 8941), or the same characters bare, of 1 to 255
 * printable ASCII characters once unescaped. {@code "abc"} and {@code abc} are one key.
 */
final class Idempotency {
  static final String HEADER = "Idempotency-Key";
  static final int MAX_LENGTH = 255;

  private Idempotency() {}

  /**
   * The key the header values carry, or null when there is none.
   *
   * @throws IllegalArgumentException saying what is wrong with it
   */
  static String key(Enumeration<String> values) {
    if (values == null || !values.hasMoreElements()) {
      return null;
    }
    String value = values.nextElement().strip();
    if (values.hasMoreElements()) {
      throw new IllegalArgumentException(HEADER + " is sent more than once");
    }
    String key = value.startsWith("\"") ? unquote(value) : value;
    if (key.isEmpty() || key.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(HEADER + " must be 1 to " + MAX_LENGTH
          + " characters, not " + key.length());
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        throw new IllegalArgumentException(HEADER + " has a character that is not printable"
            + " ASCII at " + (i + 1));
      }
    }
    return key;
  }

  /** The content of a structured-field string, {@code "..."}, with its escapes undone. */
  private static String unquote(String value) {
    StringBuilder key = new StringBuilder(value.length());
    for (int i = 1; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\\') {
        if (i + 1 >= value.length()
            || (value.charAt(i + 1) != '"' && value.charAt(i + 1) != '\\')) {
          throw new IllegalArgumentException(HEADER + " has a \\ that escapes neither \" nor \\");
        }
        key.append(value.charAt(++i));
      } else if (c == '"') {
        if (i != value.length() - 1) {
          throw new IllegalArgumentException(HEADER + " has text after its closing quote");
        }
        return key.toString();
      } else {
        key.append(c);
      }
    }
    throw new IllegalArgumentException(HEADER + " has no closing quote");
  }
}
