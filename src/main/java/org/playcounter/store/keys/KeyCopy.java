package org.playcounter.store.keys;

/** The remembered keys with answers at one moment, oldest first, for a snapshot; read-only. */
public final class KeyCopy {
  private final long[] hi;
  private final long[] lo;
  private final long[] fingerprint;
  private final long[] time;
  private final int[] kind;
  private final long[] value;
  private final String[] body;

  KeyCopy(int n) {
    hi = new long[n];
    lo = new long[n];
    fingerprint = new long[n];
    time = new long[n];
    kind = new int[n];
    value = new long[n];
    body = new String[n];
  }

  void set(int i, long keyHi, long keyLo, long keyFingerprint, long keyTime, int keyKind,
      long answer, String answerBody) {
    hi[i] = keyHi;
    lo[i] = keyLo;
    fingerprint[i] = keyFingerprint;
    time[i] = keyTime;
    kind[i] = keyKind;
    value[i] = answer;
    body[i] = answerBody;
  }

  public int size() {
    return hi.length;
  }

  /** Hands each key with its answer to {@code visitor}, oldest first. */
  public <X extends Exception> void forEach(Visitor<X> visitor) throws X {
    for (int i = 0; i < hi.length; i++) {
      visitor.visit(hi[i], lo[i], fingerprint[i], time[i], kind[i], value[i], body[i]);
    }
  }

  /** One remembered key with its answer: {@code value}, or a bulk add's {@code body}. */
  @FunctionalInterface
  public interface Visitor<X extends Exception> {
    void visit(long hi, long lo, long fingerprint, long time, int kind, long value, String body)
        throws X;
  }
}
