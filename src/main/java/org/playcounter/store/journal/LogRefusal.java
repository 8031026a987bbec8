package org.playcounter.store.journal;

/**
 * Thrown by a {@link Log}'s entry when the table hands it a change the log cannot take (failed,
 * or closing): the table then applies nothing. Carries no stack trace: it is an answer.
 */
public final class LogRefusal extends RuntimeException {
  private static final long serialVersionUID = 1L;

  LogRefusal(String reason) {
    super(reason, null, false, false);
  }
}
