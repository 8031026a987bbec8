package org.playcounter.store;

/** A change that would take a count past {@link Long#MAX_VALUE}; nothing was changed. */
public final class CountOverflowException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  CountOverflowException(String id) {
    super(id == null ? "count would overflow 64 bits"
        : "count of song " + id + " would overflow 64 bits", null, false, false);
  }
}
