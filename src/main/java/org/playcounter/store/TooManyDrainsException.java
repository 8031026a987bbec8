package org.playcounter.store;

import java.util.Arrays;
import java.util.stream.Collectors;

/** A pending drain refused: as many are pending as allowed. Nothing changed. */
public final class TooManyDrainsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  TooManyDrainsException(long[] pending) {
    super(pending.length + " drains are pending (" + Arrays.stream(pending)
        .mapToObj(Long::toString).collect(Collectors.joining(",")) + "); acknowledge one with"
        + " DELETE /drains/{n} once its counts are stored, then drain again");
  }
}
