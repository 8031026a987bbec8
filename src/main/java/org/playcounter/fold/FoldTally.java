package org.playcounter.fold;

import java.math.BigInteger;

/**
 * What the fold job did, for one server or summed over the run, counted as it goes on the job's
 * one thread and printed as the per-server line and the run's one-line summary a monitor parses.
 */
final class FoldTally {
  private int servers;
  private int failed;
  private int drains;
  private int folded;
  private int alreadyApplied;
  private long songs;
  private BigInteger plays = BigInteger.ZERO;

  /** Counts one drain seen, whatever became of it. */
  void drain() {
    drains++;
  }

  /** Counts one drain added to the database now, with its songs and plays. */
  void folded(long drainSongs, BigInteger drainPlays) {
    folded++;
    songs += drainSongs;
    plays = plays.add(drainPlays);
  }

  /** Counts one drain the database had already. */
  void alreadyApplied() {
    alreadyApplied++;
  }

  /** Adds what one server's run did, {@code ok} when it was folded, to this run's tally. */
  void add(FoldTally server, boolean ok) {
    servers++;
    failed += ok ? 0 : 1;
    drains += server.drains;
    folded += server.folded;
    alreadyApplied += server.alreadyApplied;
    songs += server.songs;
    plays = plays.add(server.plays);
  }

  /** Counts {@code count} servers that were never tried: the database could not be opened. */
  void notTried(int count) {
    servers += count;
    failed += count;
  }

  /** One server's line, after its name: what its drains came to and how long it took. */
  String serverLine(long millis) {
    return drains + " drains, " + folded + " folded now (" + songs + " songs, " + plays
        + " plays), " + alreadyApplied + " already applied, in " + millis + " ms";
  }

  /**
   * The run's summary: {@code fold summary: } then space-separated {@code name=value} fields,
   * {@code status} first ({@code ok} when every server was folded, else {@code failed}).
   */
  String summary(long millis) {
    return "fold summary: status=" + (failed == 0 ? "ok" : "failed") + " servers=" + servers
        + " failed=" + failed + " drains=" + drains + " folded=" + folded + " already_applied="
        + alreadyApplied + " songs=" + songs + " plays=" + plays + " ms=" + millis;
  }
}
