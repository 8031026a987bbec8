package org.playcounter.store;

import org.playcounter.store.journal.LogRefusal;
import org.playcounter.store.journal.Outcome;
import org.playcounter.store.table.TableRefusal;

/**
 * The one place where what the rooms below refuse becomes the store's exceptions: a table's
 * refusal, a log's refusal at record time, and an outcome that is not acknowledged.
 */
final class StoreRefusals {
  /** A change in the file and in memory whose fsync failed: it counts; a retry would not. */
  static final String NOT_FORCED = "storage failed: the change was written to the journal and"
      + " counts, but could not be forced to disk; do not send it again";

  private StoreRefusals() {}

  /** The store's exception for {@code e}, or {@code e} itself when it is no refusal. */
  static RuntimeException of(RuntimeException e) {
    if (e instanceof TableRefusal) {
      TableRefusal refusal = (TableRefusal) e;
      switch (refusal.reason()) {
        case OVERFLOW:
          return new CountOverflowException(refusal.id());
        case SONG_LIMIT:
          return new SongLimitException(refusal.maxSongs());
        case TOO_MANY_DRAINS:
          return new TooManyDrainsException(refusal.pending());
        default:
          return e;
      }
    }
    if (e instanceof LogRefusal) {
      return new StorageFailedException(e.getMessage());
    }
    return e;
  }

  /** The exception a caller hears for an outcome, or null when it was acknowledged. */
  static StorageFailedException of(Outcome outcome) {
    switch (outcome.kind()) {
      case ACKNOWLEDGED:
        return null;
      case WRITTEN_NOT_FORCED:
        return new StorageFailedException(NOT_FORCED);
      default:
        return new StorageFailedException(outcome.reason());
    }
  }
}
