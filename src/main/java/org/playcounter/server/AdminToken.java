package org.playcounter.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The optional bearer token that guards every removal. Compares digests in constant time, so
 * neither the token's content nor its length leaks through response timing.
 */
final class AdminToken {
  private static final String SCHEME = "Bearer ";

  /** SHA-256 of the token, or null when no token is set and all may remove. */
  private final byte[] expected;

  AdminToken(String token) {
    this.expected = token == null ? null : sha256(token);
  }

  /**
   * True when removals are open or {@code authorization} is {@code Bearer <token>} with the
   * right token (the scheme name is case-insensitive, RFC 9110 section 11.1).
   */
  boolean permits(String authorization) {
    if (expected == null) {
      return true;
    }
    String header = authorization == null ? "" : authorization.trim();
    boolean bearer = header.regionMatches(true, 0, SCHEME, 0, SCHEME.length());
    byte[] given = sha256(bearer ? header.substring(SCHEME.length()).trim() : "");
    return MessageDigest.isEqual(expected, given) & bearer;
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
