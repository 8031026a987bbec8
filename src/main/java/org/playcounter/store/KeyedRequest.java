package org.playcounter.store;

import org.playcounter.store.keys.Key;
import org.playcounter.store.keys.KeyTable;

/**
 * A write sent with an {@code Idempotency-Key}, as the store keeps it: the key's 128-bit hash
 * ({@code hi}, {@code lo}), a 64-bit fingerprint of the request, when it came, the kind of answer
 * it gets and the most bytes that answer can take once remembered. Who makes one computes the
 * hashes (the server: SHA-256 of the key and of the request), so that neither an accident nor a
 * crafted key makes two keys or two requests one; the key itself is not kept. Immutable.
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
  /**
   * What a remembered answer's body costs besides its characters, to be counted once in the
   * {@code answerBound} of a bulk add.
   */
  public static final int BODY_OVERHEAD = KeyTable.BODY_OVERHEAD;

  /** The key as the store's key table keeps it. */
  private final Key key;

  /**
   * A keyed write whose key hashes to {@code hi} and {@code lo}, whose request hashes to
   * {@code fingerprint}, sent at {@code time} (ms since the epoch), answered as {@code kind}
   * ({@link #PLAY}, {@link #BULK} or {@link #DRAIN}, plus {@link #JSON}).
   *
   * @throws IllegalArgumentException if {@code kind} is not 0 to 63 or {@code answerBound} < 0
   */
  public KeyedRequest(long hi, long lo, long fingerprint, long time, int kind, long answerBound) {
    if (kind < 0 || kind > 63) {
      throw new IllegalArgumentException("kind not in 0..63: " + kind);
    }
    if (answerBound < 0) {
      throw new IllegalArgumentException("answerBound < 0: " + answerBound);
    }
    this.key = new Key(hi, lo, fingerprint, time, kind, answerBound);
  }

  /** The kind of answer: {@link #PLAY}, {@link #BULK} or {@link #DRAIN}, plus {@link #JSON}. */
  public int kind() {
    return key.kind();
  }

  /** The key as the store's key table keeps it; null for none. */
  static Key key(KeyedRequest request) {
    return request == null ? null : request.key;
  }
}
