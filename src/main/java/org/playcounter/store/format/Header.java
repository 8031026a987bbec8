package org.playcounter.store.format;

/**
 * A decoded record's header, handed to a {@link RecordSink}: filled in place and reused for the
 * next record, so a sink keeps the numbers it needs and never the object.
 */
public final class Header {
  /** The record's kind. */
  public Kind kind;
  /** How many body lines the record has. */
  public long lines;
  /** The bytes of the ids of its body lines, together. */
  public long idBytes;
  /** The offset in the file of the record's first byte, the {@code b} of {@code begin}. */
  public long offset;
  /** The first argument: N of drain, ack and pending; G of snapshot; V of key; else 0. */
  public long a;
  /** The second argument: D of snapshot; else 0. */
  public long b;
  /** True when the record carries an idempotency key (always for {@link Kind#KEY}). */
  public boolean keyed;
  /** The key's time in ms since the epoch, 0 without a key. */
  public long time;
  /** The key's answer kind, 0..63, 0 without a key. */
  public int keyKind;
  /** The key's hashes and fingerprint, 0 without a key. */
  public long hi;
  public long lo;
  public long fingerprint;

  void clear() {
    kind = null;
    lines = 0;
    idBytes = 0;
    offset = 0;
    a = 0;
    b = 0;
    keyed = false;
    time = 0;
    keyKind = 0;
    hi = 0;
    lo = 0;
    fingerprint = 0;
  }
}
