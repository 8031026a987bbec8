package org.playcounter.fold;

import java.io.PrintStream;
import java.net.URI;
import java.math.BigInteger;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.playcounter.client.PendingDrain;
import org.playcounter.client.PlayCounterClient;
import org.playcounter.client.PlayCounterClientBuilder;
import org.playcounter.client.PlayCounterException;

/**
 * The fold job, {@code java -jar playcounter-<version>-fold.jar}: drains every counter server and
 * adds the counts to a relational database, each drain exactly once, so it may be killed at any
 * point and simply run again. Per server, in the order given, it folds the drains still pending
 * from an earlier run (oldest first), then makes one new drain and folds that; folding is one
 * transaction ({@link Database#apply}) followed by acknowledging the drain, which the server
 * keeps until then. A drain the database already has (the earlier run died between its commit
 * and the acknowledgement) is only acknowledged.
 *
 * <p>A server that fails is reported and skipped, and the job goes on with the others; its
 * drains stay pending for the next run. Every request to a server, its answer's body included,
 * ends within {@code --timeout} (a keyed {@code POST /drains} within three times that), so a
 * server that stalls is named, not waited for. Songs whose total would pass a long go to the
 * overflow table, named on both streams, and the rest of their drain is folded. Each drain and
 * each server gets a line on standard output as it is done, and the run ends with one summary
 * line ({@link FoldTally#summary}), printed whenever the job ran at all. Exit status: 0
 * when every server was folded, 1 when some server or the database failed, 2 for bad options.
 *
 * <p>For the crash tests only, the system property {@value Options#HALT_AFTER} makes the JVM halt
 * (status {@value #HALTED}, no shutdown hooks, as a kill would) right after the first drain is
 * fetched or made ({@code drain}) or right after the first commit, before its acknowledgement
 * ({@code commit}).
 */
public final class FoldJob {
  /** Every server was folded. */
  static final int OK = 0;
  /** Some server could not be drained, or the database failed. */
  static final int FAILED = 1;
  /** The options were bad; nothing was done. */
  static final int USAGE = 2;
  /** The status of a halt that {@value Options#HALT_AFTER} asked for. */
  static final int HALTED = 99;

  /** The longest failure reason printed, in characters. */
  private static final int MAX_REASON = 300;

  private final PlayCounterClient client;
  private final Database database;
  private final PrintStream out;
  private final PrintStream err;
  private final String haltAfter;

  private FoldJob(PlayCounterClient client, Database database, PrintStream out,
      PrintStream err, String haltAfter) {
    this.client = client;
    this.database = database;
    this.out = out;
    this.err = err;
    this.haltAfter = haltAfter;
  }

  /** Runs the job and exits with its status. */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the job with {@code args}, the system properties and the environment. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
      out.print(Options.USAGE);
      return OK;
    }
    Options options;
    PlayCounterClient client;
    try {
      options = Options.parse(args, System::getProperty, System::getenv);
      // each write tried 3 times, as the usage says: a server that is down is skipped this hour
      // and folded the next, rather than holding up the others
      PlayCounterClientBuilder builder = PlayCounterClient.builder().servers(options.servers())
          .previousServers(options.previousServers())
          .requestTimeout(options.timeout()).maxRetries(2)
          .retryFor(Collections.min(List.of(options.timeout().multipliedBy(3),
              Duration.ofHours(1))));
      if (options.adminToken() != null) {
        builder.adminToken(options.adminToken());
      }
      client = builder.build();
    } catch (IllegalArgumentException e) {
      err.println("fold: " + e.getMessage());
      err.print(Options.USAGE);
      return USAGE;
    }
    long start = System.nanoTime();
    Database database;
    try {
      database = Database.open(options.db(), options.dbUser(), options.dbPassword(),
          options.tables());
    } catch (SQLException | RuntimeException e) {
      err.println("fold: cannot open the database " + withoutParameters(options.db()) + ": "
          + reason(e));
      FoldTally run = new FoldTally();
      run.notTried(client.servers().size());
      out.println(run.summary(millisSince(start)));
      return FAILED;
    }
    try (database) {
      return new FoldJob(client, database, out, err, options.haltAfter()).foldAll(start);
    } catch (SQLException e) { // from close, after every drain was committed and acknowledged
      err.println("fold: closing the database failed: " + reason(e));
      return FAILED;
    }
  }

  /**
   * Folds every server, names on {@code err} each one that failed, and prints the run's summary
   * line, timed from {@code start}.
   */
  private int foldAll(long start) {
    Map<URI, String> failures = new LinkedHashMap<>();
    FoldTally run = new FoldTally();
    for (URI server : client.servers()) {
      FoldTally tally = new FoldTally();
      long serverStart = System.nanoTime();
      try {
        foldServer(server, tally);
        out.println(server + ": " + tally.serverLine(millisSince(serverStart)));
      } catch (SQLException | RuntimeException e) { // PlayCounterException among them
        failures.put(server, reason(e));
        out.println(server + ": failed, its drains stay pending: " + reason(e));
      }
      run.add(tally, !failures.containsKey(server));
    }
    failures.forEach((server, reason) ->
        err.println("fold: could not drain " + server + ": " + reason));
    out.println(run.summary(millisSince(start)));
    return failures.isEmpty() ? OK : FAILED;
  }

  private static long millisSince(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }

  /** Folds the server's pending drains, oldest first, then one new drain, into {@code tally}. */
  private void foldServer(URI server, FoldTally tally) throws SQLException {
    for (long number : client.pendingDrainNumbers(server)) {
      PendingDrain drain;
      try {
        drain = client.pendingDrain(server, number);
      } catch (PlayCounterException e) {
        if (e.status() != 404) {
          throw e;
        }
        continue; // acknowledged by another job since the listing: in the database already
      }
      fold(drain, tally);
    }
    try {
      fold(client.createDrain(server), tally);
    } catch (PlayCounterException e) {
      if (e.status() != 409) {
        throw e;
      }
      out.println(server + ": holds as many pending drains as it allows, none made this time");
    }
  }

  /** Adds one drain to the database unless it is there, then acknowledges it. */
  private void fold(PendingDrain drain, FoldTally tally) throws SQLException {
    haltAt("drain");
    long start = System.nanoTime();
    String what = drain.server() + " drain " + drain.number() + ": ";
    tally.drain();
    if (drain.counts().isEmpty()) {
      what += "empty";
    } else {
      Database.Outcome outcome = database.apply(drain.server().toString(), drain.number(),
          drain.counts());
      BigInteger plays = Database.plays(drain.counts());
      what += drain.counts().size() + " songs, " + plays + " plays, ";
      if (outcome == Database.Outcome.APPLIED) {
        haltAt("commit");
        tally.folded(drain.counts().size(), plays);
        what += "folded in " + millisSince(start) + " ms";
        reportOverflowed(drain);
      } else {
        tally.alreadyApplied();
        what += "already applied";
      }
    }
    boolean acknowledged = client.acknowledge(drain);
    out.println(what + (acknowledged ? ", acknowledged" : ", acknowledged before"));
  }

  /** Halts the JVM when the tests asked for it at {@code step}. */
  private void haltAt(String step) {
    if (step.equals(haltAfter)) {
      out.println("halting after the first " + step + " (" + Options.HALT_AFTER + ")");
      out.flush();
      Runtime.getRuntime().halt(HALTED);
    }
  }

  /** A JDBC URL without its parameters, which may hold a password. */
  private static String withoutParameters(String url) {
    int parameters = url.indexOf('?');
    return parameters < 0 ? url : url.substring(0, parameters) + "?...";
  }

  /**
   * A failure in one short line. A driver's message can be long: PostgreSQL's batch failure
   * quotes the whole rewritten statement of 1,000 rows (about 30 KB), with the database's own
   * reason in the next exception, which is what is shown then.
   */
  static String reason(Exception e) {
    if (e instanceof PlayCounterException failure) {
      return failure.status() < 0 ? failure.reason()
          : "HTTP " + failure.status() + ": " + failure.reason();
    }
    if (e instanceof SQLException failure) {
      SQLException reason = failure instanceof BatchUpdateException
          && failure.getNextException() != null ? failure.getNextException() : failure;
      String state = reason.getSQLState() != null ? reason.getSQLState() : failure.getSQLState();
      return oneLine(reason.getMessage()) + (state == null ? "" : " (SQLState " + state + ")");
    }
    return oneLine(e.getMessage() == null ? e.toString() : e.getMessage());
  }

  private static String oneLine(String message) {
    String line = message == null ? "" : message.strip().lines().findFirst().orElse("");
    return line.length() > MAX_REASON ? line.substring(0, MAX_REASON) + "..." : line;
  }

  /** Says on both streams which songs of the drain went to the overflow table, if any. */
  private void reportOverflowed(PendingDrain drain) throws SQLException {
    Map<String, Long> overflowed = database.overflowed(drain.server().toString(), drain.number());
    if (!overflowed.isEmpty()) {
      String line = drain.server() + " drain " + drain.number() + ": " + overflowed.size()
          + " songs' totals would pass " + Long.MAX_VALUE + ", so their plays are in the"
          + " overflow table, not in the plays table: " + String.join(", ",
              overflowed.keySet().stream().limit(20).toList())
          + (overflowed.size() > 20 ? ", ..." : "");
      out.println(line);
      err.println("fold: " + line);
    }
  }
}
