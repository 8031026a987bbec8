package org.playcounter.store.journal;

/**
 * What became of a recorded change: acknowledged with the durability its mode promises; in the
 * file and in memory but not forced to disk (an fsync failed: it counts, and the log takes
 * nothing more); or refused, taken back out of memory, so nothing changed. A value, not an
 * exception, so that callers switch on it rather than on message text.
 */
public final class Outcome {
  /** The three outcomes. */
  public enum Kind { ACKNOWLEDGED, WRITTEN_NOT_FORCED, REFUSED }

  /** Acknowledged: the change stands with the durability asked for. */
  public static final Outcome ACKNOWLEDGED = new Outcome(Kind.ACKNOWLEDGED, null);

  private final Kind kind;
  private final String reason;

  private Outcome(Kind kind, String reason) {
    this.kind = kind;
    this.reason = reason;
  }

  /** In the file and in memory, but not forced to disk, for {@code reason}. */
  static Outcome writtenNotForced(String reason) {
    return new Outcome(Kind.WRITTEN_NOT_FORCED, reason);
  }

  /** Not in the file, taken back out of memory, for {@code reason}. */
  static Outcome refused(String reason) {
    return new Outcome(Kind.REFUSED, reason);
  }

  public Kind kind() {
    return kind;
  }

  /** True when the change is in the counts (acknowledged, or written but not forced). */
  public boolean counts() {
    return kind != Kind.REFUSED;
  }

  /** Why it was not acknowledged; null when it was. */
  public String reason() {
    return reason;
  }

  @Override
  public String toString() {
    return reason == null ? kind.name() : kind + ": " + reason;
  }
}
