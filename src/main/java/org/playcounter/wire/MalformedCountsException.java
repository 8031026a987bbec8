package org.playcounter.wire;

/** A counts body that does not parse; its message is one line that names the first bad pair. */
public final class MalformedCountsException extends Exception {
  private static final long serialVersionUID = 1L;

  public MalformedCountsException(String message) {
    super(message, null, false, false);
  }
}
