package org.playcounter.client;

import java.net.URI;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * One request as the client sends it: method, target, the headers that matter to the service and
 * a text body; every other header ({@code Host}, {@code Content-Length}) is the transport's.
 *
 * @param method the HTTP method
 * @param uri the whole target, server and path
 * @param body a {@code text/plain} body, or null for none
 * @param key the {@code Idempotency-Key}, or null: a request with one may be sent again
 * @param prefer the {@code Prefer} value, or null
 * @param authorization the {@code Authorization} value, or null
 * @param once true for a request sent once whatever it is: a probe of a server marked down
 */
record Request(String method, URI uri, String body, String key, String prefer,
    String authorization, boolean once) {
  private static final SecureRandom KEYS = new SecureRandom();

  /** This request with a fresh random {@code Idempotency-Key}: 128 bits, base64url. */
  Request keyed() {
    byte[] bytes = new byte[16];
    KEYS.nextBytes(bytes);
    return new Request(method, uri, body, Base64.getUrlEncoder().withoutPadding()
        .encodeToString(bytes), prefer, authorization, once);
  }

  /** This request sent once, never again: a probe of a server marked down. */
  Request sentOnce() {
    return new Request(method, uri, body, key, prefer, authorization, true);
  }

  /**
   * True for a request that is safe to send again and not {@link #sentOnce}: a read, or a write
   * that carries a key (the server counts a key once); a {@code DELETE} without one answers what
   * it removed only once.
   */
  boolean retriable() {
    return !once && (key != null || method.equals("GET") || method.equals("HEAD"));
  }
}
