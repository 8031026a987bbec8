package org.playcounter.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import org.playcounter.store.keys.Key;
import org.playcounter.store.keys.KeyTable;

/**
 * A write sent with an {@code Idempotency-Key}: the key's 128-bit hash, a 64-bit fingerprint of
 * the request (method, path and what its body says), when it came, and the kind of answer it
 * gets. Both hashes are SHA-256, so neither an accident nor a crafted key makes two keys or two
 * requests one. The key itself is not kept.
 */
public final class KeyedRequest {
  /** A play of one song: the answer is its count. */
  public static final int PLAY = 0;
  /** A bulk add: the answer is the new counts. */
  public static final int BULK = 1;
  /** A pending drain: the answer is its number. */
  public static final int DRAIN = 2;
  /** Added to the kind when the answer was JSON. */
  public static final int JSON = 4;

  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  });

  final long hi;
  final long lo;
  final long fingerprint;
  final long time;
  final int kind;
  /** The most bytes its answer's body can take once remembered; 0 for an answer of one number. */
  final long answerBound;

  KeyedRequest(long hi, long lo, long fingerprint, long time, int kind, long answerBound) {
    this.hi = hi;
    this.lo = lo;
    this.fingerprint = fingerprint;
    this.time = time;
    this.kind = kind;
    this.answerBound = answerBound;
  }

  /** {@code POST /song/{id}} with {@code key}, answered in JSON or not. */
  public static KeyedRequest play(String key, String id, boolean json, long now) {
    return of(key, "POST /song/" + id, (json ? JSON : 0) | PLAY, now, 0);
  }

  /** {@code POST /} of {@code plays}, in their order, with {@code key}. */
  public static KeyedRequest bulk(String key, Map<String, Long> plays, boolean json, long now) {
    StringBuilder request = new StringBuilder(plays.size() * 16).append("POST /\n");
    long[] bound = {KeyTable.BODY_OVERHEAD};
    plays.forEach((id, count) -> {
      request.append(id).append('=').append(count).append(',');
      bound[0] += id.length() + 21; // "id=" and up to 19 digits and a comma
    });
    return of(key, request.toString(), (json ? JSON : 0) | BULK, now, bound[0]);
  }

  /** {@code POST /drains} with {@code key}. */
  public static KeyedRequest drain(String key, boolean json, long now) {
    return of(key, "POST /drains", (json ? JSON : 0) | DRAIN, now, 0);
  }

  private static KeyedRequest of(String key, String request, int kind, long now,
      long answerBound) {
    MessageDigest sha = SHA256.get();
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

  /** The kind of answer: {@link #PLAY}, {@link #BULK} or {@link #DRAIN}, plus {@link #JSON}. */
  public int kind() {
    return kind;
  }

  /** The key as the store's key table keeps it; null for none. */
  static Key key(KeyedRequest request) {
    return request == null ? null : new Key(request.hi, request.lo, request.fingerprint,
        request.time, request.kind, request.answerBound);
  }
}
