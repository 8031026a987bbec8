package org.playcounter.store;

/**
 * The data directory cannot record changes any more (disk full, I/O error); the change that
 * met it was not acknowledged, and every later one fails the same way until a restart.
 */
public final class StorageFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  StorageFailedException(String reason) {
    super(reason, null, false, false);
  }
}
