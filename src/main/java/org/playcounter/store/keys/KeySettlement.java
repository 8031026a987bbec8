package org.playcounter.store.keys;

import java.util.Map;

/**
 * How a keyed write settles its key in the {@link KeyTable}, in three steps that every kind of
 * write takes alike: {@link #begin} takes the key, {@link #answered} sets the answer under the
 * locks the change is recorded under, and {@link #settle} makes the key done when the change
 * counts or forgets it when nothing changed (a retry is then a first request). Every method
 * takes a null key and then does nothing, so unkeyed writes share the code.
 */
public final class KeySettlement {
  private final KeyTable keys;

  public KeySettlement(KeyTable keys) {
    this.keys = keys;
  }

  /** The table of the keys remembered. */
  public KeyTable keys() {
    return keys;
  }

  /** Looks the key up and takes it when it is new ({@link KeyTable#begin}). */
  public Lookup begin(Key key) {
    return keys.begin(key);
  }

  /** The answer of a play or a pending drain: one number. */
  public void answered(Key key, long value) {
    if (key != null) {
      keys.answer(key.hi(), key.lo(), key.kind(), value, null);
    }
  }

  /** The answer of a bulk add: the new counts, kept as the text {@code id=n,id=n}. */
  public void answered(Key key, Map<String, Long> added) {
    if (key == null) {
      return;
    }
    StringBuilder text = new StringBuilder(added.size() * 12);
    added.forEach((id, n) -> appendAnswer(text, id, n));
    keys.answer(key.hi(), key.lo(), key.kind(), 0, text.toString());
  }

  /**
   * Appends one song's count to a bulk add's remembered answer, {@code id=n,id=n}: the one
   * place that writes that text, for a live write and for recovery alike.
   */
  public static void appendAnswer(StringBuilder body, CharSequence id, long count) {
    if (body.length() > 0) {
      body.append(',');
    }
    body.append(id).append('=').append(count);
  }

  /** The write is over: the key is done when {@code counts}, else forgotten. */
  public void settle(Key key, boolean counts) {
    if (key == null) {
      return;
    }
    if (counts) {
      keys.finish(key.hi(), key.lo());
    } else {
      keys.abandon(key.hi(), key.lo());
    }
  }
}
