package org.playcounter.wire;

/**
 * The song-id rules of the HTTP contract: one path segment of 1 to 128 characters from the URI
 * "unreserved" set {@code A-Z a-z 0-9 - . _ ~}, compared as a case-sensitive string, except
 * {@code .} and {@code ..}: they are RFC 3986 dot-segments, which clients remove before sending
 * ({@code DELETE /song/..} would go out as {@code DELETE /}).
 *
 * <p>Server and client share these rules so that an id the client accepts is one the server
 * accepts; the reasons are single lines meant to be sent to a client as they are.
 */
public final class SongId {
  /** Longest id accepted, in characters. */
  public static final int MAX_LENGTH = 128;

  private static final String ALLOWED = "allowed: A-Z a-z 0-9 - . _ ~";

  private SongId() {}

  /** Returns true for the characters an id may contain. */
  public static boolean isIdChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '-' || c == '.' || c == '_' || c == '~';
  }

  /** Returns null when {@code id} is a valid song id, otherwise a one-line reason. */
  public static String problem(CharSequence id) {
    if (id == null || id.length() == 0) {
      return "song id is empty";
    }
    if (id.length() > MAX_LENGTH) {
      return "song id is longer than " + MAX_LENGTH + " characters";
    }
    String text = id.toString();
    if (text.equals(".") || text.equals("..")) {
      return "song id '" + text + "' is a dot-segment, which clients remove from a path before"
          + " sending";
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (!isIdChar(c)) {
        return c == '/'
            ? "song id must be a single path segment"
            : "song id contains " + describe(c) + " (" + ALLOWED + ")";
      }
    }
    return null;
  }

  /**
   * Returns {@code id} when it is a valid song id.
   *
   * @throws IllegalArgumentException with a one-line reason otherwise
   */
  public static String check(String id) {
    String problem = problem(id);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    return id;
  }

  /**
   * Decodes one raw (still percent-encoded) path segment and returns it as a song id.
   *
   * @throws IllegalArgumentException with a one-line reason when the segment is malformed or
   *     does not decode to a valid id
   */
  public static String fromPathSegment(String raw) {
    if (raw.indexOf('%') < 0) {
      return check(raw);
    }
    StringBuilder decoded = new StringBuilder(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c != '%') {
        decoded.append(c);
        continue;
      }
      int high = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
      int low = high >= 0 ? Character.digit(raw.charAt(i + 2), 16) : -1;
      if (low < 0) {
        throw new IllegalArgumentException("song id has a malformed percent-escape");
      }
      decoded.append((char) (high * 16 + low));
      i += 2;
    }
    return check(decoded.toString());
  }

  /** Shows one character in a message without breaking its line or its ASCII encoding. */
  static String describe(char c) {
    if (c >= ' ' && c < 0x7f) {
      return "'" + c + "'";
    }
    return String.format("U+%04X", (int) c);
  }
}
