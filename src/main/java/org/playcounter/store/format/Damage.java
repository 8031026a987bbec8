package org.playcounter.store.format;

import java.io.IOException;
import java.nio.file.Path;

/** The one wording of damage found in a data directory's files, naming the file and offset. */
public final class Damage {
  private Damage() {}

  /** The exception that stops start-up because {@code what} was found at {@code offset}. */
  public static IOException at(Path file, long offset, String what) {
    return new IOException("playcounter data is damaged: " + what + " in " + file + " at byte "
        + offset + "; refusing to start rather than drop counts (restore the file, or move it"
        + " away to start without it)");
  }
}
