package org.playcounter.store.table;

import java.util.Arrays;

/**
 * A change the table refused before touching anything: a count past {@link Long#MAX_VALUE}, a
 * new song beyond the limit, or a pending drain beyond the number allowed. The store's API turns
 * it into its own exception; it carries no stack trace, since refusing is an answer, not a bug.
 */
public final class TableRefusal extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why a change was refused. */
  public enum Reason { OVERFLOW, SONG_LIMIT, TOO_MANY_DRAINS }

  private final Reason reason;
  private final String id;
  private final long maxSongs;
  private final long[] pending;

  private TableRefusal(Reason reason, String id, long maxSongs, long[] pending) {
    super(reason.name(), null, false, false);
    this.reason = reason;
    this.id = id;
    this.maxSongs = maxSongs;
    this.pending = pending;
  }

  static TableRefusal overflow(String id) {
    return new TableRefusal(Reason.OVERFLOW, id, 0, null);
  }

  static TableRefusal songLimit(long maxSongs) {
    return new TableRefusal(Reason.SONG_LIMIT, null, maxSongs, null);
  }

  static TableRefusal tooManyDrains(long[] pending) {
    return new TableRefusal(Reason.TOO_MANY_DRAINS, null, 0, pending.clone());
  }

  public Reason reason() {
    return reason;
  }

  /** The song whose count would overflow; null for other reasons. */
  public String id() {
    return id;
  }

  /** The song limit that was reached; 0 for other reasons. */
  public long maxSongs() {
    return maxSongs;
  }

  /** The drains pending when one more was refused; empty for other reasons. */
  public long[] pending() {
    return pending == null ? new long[0] : Arrays.copyOf(pending, pending.length);
  }
}
