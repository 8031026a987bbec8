package org.playcounter.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import org.playcounter.store.KeyedRequest;

/**
 * Makes the store's {@link KeyedRequest} of an HTTP write sent with an {@code Idempotency-Key}:
 * SHA-256 of the key and of the request (method, path and what its body says), so that neither
 * an accident nor a crafted key makes two keys or two requests one. Thread-safe.
 */
final class KeyedRequests {
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  });

  private KeyedRequests() {}

  /** {@code POST /song/{id}} with {@code key}, answered in JSON or not. */
  static KeyedRequest play(String key, String id, boolean json, long now) {
    return of(key, "POST /song/" + id, (json ? KeyedRequest.JSON : 0) | KeyedRequest.PLAY, now,
        0);
  }

  /** {@code POST /} of {@code plays}, in their order, with {@code key}. */
  static KeyedRequest bulk(String key, Map<String, Long> plays, boolean json, long now) {
    StringBuilder request = new StringBuilder(plays.size() * 16).append("POST /\n");
    long bound = KeyedRequest.BODY_OVERHEAD;
    for (Map.Entry<String, Long> play : plays.entrySet()) {
      request.append(play.getKey()).append('=').append(play.getValue()).append(',');
      bound += play.getKey().length() + 21; // "id=" and up to 19 digits and a comma
    }
    return of(key, request.toString(), (json ? KeyedRequest.JSON : 0) | KeyedRequest.BULK, now,
        bound);
  }

  /** {@code POST /drains} with {@code key}. */
  static KeyedRequest drain(String key, boolean json, long now) {
    return of(key, "POST /drains", (json ? KeyedRequest.JSON : 0) | KeyedRequest.DRAIN, now, 0);
  }

  private static KeyedRequest of(String key, String request, int kind, long now,
      long answerBound) {
    MessageDigest sha = SHA256.get();
    // Keys are printable ASCII (Idempotency.key) and request text is ids and digits: one byte each.
    byte[] keyHash = sha.digest(key.getBytes(StandardCharsets.ISO_8859_1));
    byte[] requestHash = sha.digest(request.getBytes(StandardCharsets.ISO_8859_1));
    return new KeyedRequest(longAt(keyHash, 0), longAt(keyHash, 8), longAt(requestHash, 0), now,
        kind, answerBound);
  }

  private static long longAt(byte[] b, int at) {
    long value = 0;
    for (int i = at; i < at + 8; i++) {
      value = value << 8 | (b[i] & 0xff);
    }
    return value;
  }
}
