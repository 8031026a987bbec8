package org.playcounter.store.journal;

import java.util.function.Consumer;
import org.playcounter.store.table.Recorder;

/**
 * One change on its way into a {@link Log}: the table records the change into it under its locks
 * ({@link Recorder#record}, which throws {@link LogRefusal} when the log takes nothing), and the
 * caller then waits for its {@link Outcome} or has it delivered. An entry into which nothing was
 * recorded is acknowledged at once.
 */
public interface Entry extends Recorder {
  /** Waits, without giving in to interrupts, until the log has dealt with the change. */
  Outcome await();

  /**
   * Has {@code then} hear the outcome once the log is done with the change, without waiting, on
   * whichever thread finishes it (so it must hand blocking work elsewhere).
   */
  void whenDone(Consumer<Outcome> then);
}
