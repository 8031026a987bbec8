package org.playcounter.store.journal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.playcounter.store.format.Damage;
import org.playcounter.store.format.Header;
import org.playcounter.store.format.Kind;
import org.playcounter.store.format.RecordSink;
import org.playcounter.store.keys.Key;
import org.playcounter.store.keys.KeySettlement;
import org.playcounter.store.keys.KeyTable;
import org.playcounter.store.table.PendingDrains;
import org.playcounter.store.table.TableReplay;

/**
 * Applies decoded records to the table and the keys, checking what the grammar cannot: every
 * total stays in 0..{@link Long#MAX_VALUE}, a drain is changed only while pending, drain numbers
 * only go up. Anything else is damage, named with the file and the offset. Most changes are held
 * back in the table's replay batch and checked when it is applied ({@link #settle}), which happens
 * before anything that needs their totals and before any damage found later in the file is named.
 */
final class RecoverySink implements RecordSink {
  private final TableReplay table;
  private final PendingDrains drains;
  private final KeyTable keys;
  private final long now = System.currentTimeMillis();
  private Path file;
  // the record being applied
  private Kind kind;
  private long number;
  /** A keyed record's answer: the counts of its lines, as {@code id=a,...}, or the first one. */
  private StringBuilder answers;
  private long firstAnswer;
  /** The snapshot's next drain number, applied once its pending drains are made. */
  private long nextDrain = 1;
  /** True once the first live record made room for the songs of them all. */
  private boolean presized;

  RecoverySink(TableReplay table, PendingDrains drains, KeyTable keys) {
    this.table = table;
    this.drains = drains;
    this.keys = keys;
  }

  /** The file whose records come next, for the damage messages; what is held back is applied. */
  void file(Path next) throws IOException {
    settle();
    this.file = next;
  }

  /**
   * Applies every change held back, naming the file and offset of the first one that takes a
   * total below zero or past {@link Long#MAX_VALUE} as damage.
   */
  void settle() throws IOException {
    damage(table.apply());
  }

  private void settleIfFull() throws IOException {
    if (table.full()) {
      damage(table.handOver());
    }
  }

  private void damage(TableReplay.Problem problem) throws IOException {
    if (problem == null) {
      return;
    }
    String in = problem.drain() == 0 ? "" : " in drain " + problem.drain();
    if (problem.overflow()) {
      throw Damage.at(file, problem.offset(), "the count of " + problem.id() + in + " passes "
          + Long.MAX_VALUE);
    }
    throw Damage.at(file, problem.offset(), "more plays of " + problem.id() + " removed"
        + (problem.drain() == 0 ? " than recorded" : " from drain " + problem.drain()
        + " than it held"));
  }

  @Override
  public void single(byte[] b, int idFrom, int idLength, long delta, long offset)
      throws IOException {
    live(b, idFrom, idLength, delta, offset);
  }

  @Override
  public void begin(Header header) throws IOException {
    kind = header.kind;
    number = header.a;
    answers = null;
    firstAnswer = 0;
    if (header.keyed || kind == Kind.ACK) {
      settle(); // a keyed record's answer needs the totals; an ack drops the drain's parts
    }
    switch (kind) {
      case PLAYS, REMOVES, LIVE -> { }
      case DRAIN, PENDING -> create(number, header.offset);
      case ACK -> {
        if (!drains.isPending(number)) {
          throw Damage.at(file, header.offset, "drain " + number + " acknowledged but not"
              + " pending");
        }
        table.acknowledge(number);
      }
      case SNAPSHOT -> nextDrain = header.b;
      case KEY -> { }
      default -> throw Damage.at(file, header.offset, "a record of kind " + kind + " here");
    }
    if (kind == Kind.LIVE && !presized) {
      table.nextDrain(nextDrain);
      // a: the songs of all the live records; their ids as long as this record's on average
      table.presize(header.a > 0 ? header.a : header.lines,
          header.lines == 0 ? 0 : (double) header.idBytes / header.lines);
      presized = true;
    }
    if (header.keyed || kind == Kind.KEY) {
      answers = new StringBuilder();
    }
  }

  @Override
  public void line(byte[] b, int idFrom, int idLength, long n, long x, long offset)
      throws IOException {
    switch (kind) {
      case LIVE -> live(b, idFrom, idLength, n, offset);
      case PLAYS -> {
        live(b, idFrom, idLength, n, offset);
        answered(b, idFrom, idLength, x);
      }
      case REMOVES -> {
        if (x == 0) {
          live(b, idFrom, idLength, -n, offset);
        } else {
          pending(x, b, idFrom, idLength, -n, offset);
        }
      }
      case DRAIN -> {
        live(b, idFrom, idLength, -n, offset);
        pending(number, b, idFrom, idLength, n, offset);
      }
      case PENDING -> pending(number, b, idFrom, idLength, n, offset);
      case KEY -> answered(b, idFrom, idLength, n);
      default -> throw Damage.at(file, offset, "a line in a record of kind " + kind);
    }
  }

  @Override
  public void end(Header header) {
    if (answers == null) {
      return;
    }
    int keyKind = header.keyKind;
    long value = kind == Kind.KEY ? header.a : kind == Kind.DRAIN ? number : firstAnswer;
    String body = Key.isBulk(keyKind) ? answers.toString() : null;
    keys.recover(header.hi, header.lo, header.fingerprint, header.time, keyKind,
        Key.isBulk(keyKind) ? 0 : value, body, now);
    answers = null;
  }

  /** One line of a keyed record's answer: the song's count after the change. */
  private void answered(byte[] b, int idFrom, int idLength, long count) {
    if (answers == null) {
      return;
    }
    if (firstAnswer == 0) {
      firstAnswer = count;
    }
    KeySettlement.appendAnswer(answers, id(b, idFrom, idLength), count);
  }

  private void live(byte[] b, int idFrom, int idLength, long delta, long offset)
      throws IOException {
    if (answers == null) {
      table.liveLater(b, idFrom, idLength, delta, offset);
      settleIfFull();
      return;
    }
    long total;
    try {
      total = table.live(b, idFrom, idLength, delta);
    } catch (ArithmeticException e) {
      throw Damage.at(file, offset, "the count of " + id(b, idFrom, idLength) + " passes "
          + Long.MAX_VALUE);
    }
    if (total < 0) {
      throw Damage.at(file, offset, "more plays of " + id(b, idFrom, idLength) + " removed"
          + " than recorded");
    }
  }

  private void pending(long drain, byte[] b, int idFrom, int idLength, long delta, long offset)
      throws IOException {
    if (!drains.isPending(drain)) {
      throw Damage.at(file, offset, "a change of drain " + drain + ", which is not pending");
    }
    if (answers == null) {
      table.pendingLater(drain, b, idFrom, idLength, delta, offset);
      settleIfFull();
      return;
    }
    long total;
    try {
      total = table.pending(drain, b, idFrom, idLength, delta);
    } catch (ArithmeticException e) {
      throw Damage.at(file, offset, "the count of " + id(b, idFrom, idLength) + " in drain "
          + drain + " passes " + Long.MAX_VALUE);
    }
    if (total < 0) {
      throw Damage.at(file, offset, "more plays of " + id(b, idFrom, idLength) + " removed from"
          + " drain " + drain + " than it held");
    }
  }

  /** Pending drain {@code drain} is made here; numbers only go up. */
  private void create(long drain, long offset) throws IOException {
    if (drain < drains.next() || drains.isPending(drain)) {
      throw Damage.at(file, offset, "drain " + drain + " made again (the next is at least "
          + drains.next() + ")");
    }
    table.create(drain);
  }

  private static String id(byte[] b, int from, int length) {
    return new String(b, from, length, StandardCharsets.US_ASCII);
  }
}
