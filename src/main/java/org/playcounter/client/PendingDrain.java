package org.playcounter.client;

import java.net.URI;
import java.util.Map;
import java.util.Objects;

/**
 * A pending drain of one server: counts that left the server's live counts and wait there, under
 * {@code number}, until whoever stored them acknowledges them ({@link
 * PlayCounterClient#acknowledge}). Until then the server still answers them in its counts and
 * hands them out again as often as asked, so a job that dies before storing them loses nothing.
 * Immutable.
 *
 * @param server the server's base URI, as the client's router names it
 * @param number the drain's number on that server: it never repeats for the server's data
 *     directory, so (server, number) names this drain for good
 * @param counts song id to plays, unmodifiable
 */
public record PendingDrain(URI server, long number, Map<String, Long> counts) {
  public PendingDrain {
    Objects.requireNonNull(server, "server");
    counts = Map.copyOf(counts);
  }

  /**
   * The plays in it, summed, or {@link Long#MAX_VALUE} when the sum passes it: each count is a
   * long, so a drain of many large counts can hold more plays than one long says.
   */
  public long plays() {
    long plays = 0;
    for (long count : counts.values()) {
      plays += count;
      if (plays < 0) { // counts are never negative: this is the sum passing the range
        return Long.MAX_VALUE;
      }
    }
    return plays;
  }
}
