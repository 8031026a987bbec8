package org.playcounter.store;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;

/**
 * The store tests' keyed requests, made as the server makes them (its {@code KeyedRequests}) but
 * hashed with MD5 name UUIDs: distinct for distinct keys and requests, which is all the store
 * relies on.
 */
final class TestKeys {
  private TestKeys() {}

  /** A keyed {@code POST /song/{id}}. */
  static KeyedRequest play(String key, String id, boolean json, long now) {
    return keyed(key, "play " + id, KeyedRequest.PLAY, json, now, 0);
  }

  /** A keyed bulk add of {@code plays}, whose answer may take what the server reserves for it. */
  static KeyedRequest bulk(String key, Map<String, Long> plays, boolean json, long now) {
    long bound = KeyedRequest.BODY_OVERHEAD
        + plays.keySet().stream().mapToLong(id -> id.length() + 21).sum();
    return keyed(key, "bulk " + plays, KeyedRequest.BULK, json, now, bound);
  }

  /** A keyed {@code POST /drains}. */
  static KeyedRequest drain(String key, boolean json, long now) {
    return keyed(key, "drain", KeyedRequest.DRAIN, json, now, 0);
  }

  private static KeyedRequest keyed(String key, String request, int kind, boolean json,
      long now, long answerBound) {
    UUID keyHash = UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8));
    UUID requestHash = UUID.nameUUIDFromBytes(request.getBytes(StandardCharsets.UTF_8));
    return new KeyedRequest(keyHash.getMostSignificantBits(), keyHash.getLeastSignificantBits(),
        requestHash.getMostSignificantBits(), now, kind | (json ? KeyedRequest.JSON : 0),
        answerBound);
  }
}
