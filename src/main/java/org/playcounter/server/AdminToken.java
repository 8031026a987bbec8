package org.playcounter.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The optional bearer token that guards every removal. Compares digests in constant time, so
 * neither the token's content nor its length leaks through response timing.
 */
final class AdminToken {
  /** SHA-256 of the expected header value, or null when no token is set and all may remove. */
  private final byte[] expected;

  AdminToken(String token) {
    this.expected = token == null ? null : sha256("Bearer " + token);
  }

  /** True when removals are open or {@code authorization} carries the right token. */
  boolean permits(String authorization) {
    if (expected == null) {
      return true;
    }
    byte[] given = sha256(authorization == null ? "" : authorization.trim());
    return MessageDigest.isEqual(expected, given);
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
