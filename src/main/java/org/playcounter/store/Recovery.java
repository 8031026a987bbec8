package org.playcounter.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * Rebuilds the counts from a data directory: the snapshot, then every later journal in order.
 * Only the last change of the last journal may be torn (a crash or a power loss mid-write); it is
 * dropped with a warning and cut off. Any other damage, and any total that leaves
 * 0..{@link Long#MAX_VALUE}, stops start-up naming the file and the byte offset.
 */
final class Recovery {
  static final String JOURNAL_PREFIX = "journal-";

  private Recovery() {}

  /** Sums recovered counts into the table, refusing totals out of range. */
  static final class Replay {
    private final SongTable table;
    private final IdempotencyKeys keys;
    private final long now = System.currentTimeMillis();

    Replay(SongTable table, IdempotencyKeys keys) {
      this.table = table;
      this.keys = keys;
    }

    /** A key recorded with its change, whose answer is {@code value} or {@code body}. */
    void key(long hi, long lo, long fingerprint, long time, int kind, long value, String body) {
      keys.recover(hi, lo, fingerprint, time, kind, value, body, now);
    }

    /** The song's count now, live and pending, as a keyed play's answer said it. */
    long count(String id) {
      return table.get(id);
    }

    /** Adds {@code delta} to the song whose ASCII id is {@code b[from, from + length)}. */
    void add(byte[] b, int from, int length, long delta, Path file, long offset)
        throws IOException {
      long total;
      try {
        total = table.replay(b, from, length, delta);
      } catch (ArithmeticException e) {
        throw damaged(file, offset, "the count of " + id(b, from, length) + " passes "
            + Long.MAX_VALUE);
      }
      if (total < 0) {
        throw damaged(file, offset, "more plays of " + id(b, from, length) + " removed than"
            + " recorded");
      }
    }

    /**
     * Adds {@code delta} to the song in pending drain {@code number}, which must be pending; the
     * total must stay in range.
     */
    void addPending(long number, byte[] b, int from, int length, long delta, Path file,
        long offset) throws IOException {
      if (!table.isPending(number)) {
        throw damaged(file, offset, "a change of drain " + number + ", which is not pending");
      }
      long total;
      try {
        total = table.replayPending(number, b, from, length, delta);
      } catch (ArithmeticException e) {
        throw damaged(file, offset, "the count of " + id(b, from, length) + " in drain "
            + number + " passes " + Long.MAX_VALUE);
      }
      if (total < 0) {
        throw damaged(file, offset, "more plays of " + id(b, from, length) + " removed from"
            + " drain " + number + " than it held");
      }
    }

    /** Pending drain {@code number} is made here; numbers only go up. */
    void create(long number, Path file, long offset) throws IOException {
      if (number < table.nextDrain() || table.isPending(number)) {
        throw damaged(file, offset, "drain " + number + " made again (the next is at least "
            + table.nextDrain() + ")");
      }
      table.replayCreate(number);
    }

    /** Pending drain {@code number} is acknowledged here. */
    void acknowledge(long number, Path file, long offset) throws IOException {
      if (!table.isPending(number)) {
        throw damaged(file, offset, "drain " + number + " acknowledged but not pending");
      }
      table.replayAcknowledge(number);
    }

    /** The number the next drain takes at least, as a snapshot recorded it. */
    void nextDrain(long next) {
      table.replayNextDrain(next);
    }

    private static String id(byte[] b, int from, int length) {
      return new String(b, from, length, StandardCharsets.US_ASCII);
    }
  }

  /**
   * Replays the directory into {@code table} and returns the journal generation to append to.
   *
   * @throws IOException naming the file and offset of damage
   */
  static long run(Path dir, SongTable table, IdempotencyKeys keys, Consumer<String> log)
      throws IOException {
    Replay replay = new Replay(table, keys);
    long covered = Snapshot.read(dir, table, replay);
    List<Long> generations = generations(dir);
    // A torn tail is allowed in the last journal that holds anything: an empty one after it (a
    // compaction that failed once it had made the file) holds no change that could follow it.
    int last = generations.size() - 1;
    while (last > 0 && Files.size(journalFile(dir, generations.get(last))) == 0) {
      last--;
    }
    for (int i = 0; i < generations.size(); i++) {
      long g = generations.get(i);
      if (g <= covered) {
        Files.deleteIfExists(journalFile(dir, g)); // left by a compaction that ended early
        continue;
      }
      replayJournal(journalFile(dir, g), replay, i >= last, log);
    }
    table.finishReplay();
    return generations.isEmpty() ? covered + 1
        : Math.max(covered + 1, generations.get(generations.size() - 1));
  }

  private static void replayJournal(Path file, Replay replay, boolean last,
      Consumer<String> log) throws IOException {
    byte[] b = Files.readAllBytes(file);
    JournalFormat.Record record = new JournalFormat.Record();
    int pos = 0;
    while (pos < b.length) {
      int eol = JournalFormat.lineEnd(b, pos, b.length);
      int next; // the end of this change, or -1 when it is not a whole, valid change
      if (eol < 0) {
        next = -1;
        eol = b.length;
      } else if (isFrameStart(b, pos, eol)) {
        next = frame(b, pos, eol + 1);
        if (next < 0) {
          eol = frameExtent(b, eol + 1);
        } else {
          replayFrame(b, pos, eol, replay, record, file);
        }
      } else if (JournalFormat.parseSingle(b, pos, eol, record)) {
        replay.add(b, record.idFrom, record.idLength, record.delta, file, pos);
        next = eol + 1;
      } else {
        next = -1;
      }
      if (next < 0) {
        if (last && onlyZeros(b, Math.min(eol + 1, b.length))) {
          log.accept("playcounter: dropped a torn last record at offset " + pos + " of " + file
              + " (" + (b.length - pos) + " bytes, written when the process stopped mid-write);"
              + " every change before it is kept");
          try (FileChannel truncate = FileChannel.open(file, StandardOpenOption.WRITE)) {
            truncate.truncate(pos);
            truncate.force(true);
          }
          return;
        }
        throw damaged(file, pos, "bad record");
      }
      pos = next;
    }
  }

  /** True for a frame's first line: {@code begin}, {@code begin drain N} or {@code begin ack N}. */
  private static boolean isFrameStart(byte[] b, int from, int eol) {
    return JournalFormat.is(b, from, eol, JournalFormat.BEGIN)
        || JournalFormat.startsWith(b, from, eol, JournalFormat.BEGIN + JournalFormat.KEY)
        || JournalFormat.startsWith(b, from, eol, JournalFormat.DRAIN)
        || JournalFormat.startsWith(b, from, eol, JournalFormat.ACK);
  }

  /** Applies a frame that checked out; its first line is {@code b[pos, eol)}. */
  private static void replayFrame(byte[] b, int pos, int eol, Replay replay,
      JournalFormat.Record record, Path file) throws IOException {
    long creates = 0;
    int headerEnd = eol;
    String[] key = null;
    for (int i = pos; i + JournalFormat.KEY.length() <= eol; i++) {
      if (JournalFormat.startsWith(b, i, eol, JournalFormat.KEY)) {
        key = new String(b, i + JournalFormat.KEY.length(), eol - i - JournalFormat.KEY.length(),
            StandardCharsets.US_ASCII).split(" ");
        headerEnd = i;
        break;
      }
    }
    if (key != null && key.length != 5) {
      throw damaged(file, pos, "bad key in a change whose checksum matches");
    }
    if (JournalFormat.startsWith(b, pos, headerEnd, JournalFormat.DRAIN)) {
      creates = JournalFormat.number(b, pos + JournalFormat.DRAIN.length(), headerEnd);
      if (creates < 1) {
        throw damaged(file, pos, "bad drain number in a change whose checksum matches");
      }
      replay.create(creates, file, pos);
    } else if (JournalFormat.startsWith(b, pos, headerEnd, JournalFormat.ACK)) {
      long acknowledged = JournalFormat.number(b, pos + JournalFormat.ACK.length(), headerEnd);
      if (acknowledged < 1) {
        throw damaged(file, pos, "bad drain number in a change whose checksum matches");
      }
      replay.acknowledge(acknowledged, file, pos);
    }
    List<String> ids = key == null ? null : new ArrayList<>();
    List<Long> answers = key == null ? null : new ArrayList<>();
    for (int line = eol + 1, end; ; line = end + 1) {
      end = JournalFormat.lineEnd(b, line, b.length);
      if (JournalFormat.startsWith(b, line, end, JournalFormat.END)) {
        if (key != null) {
          replayKey(key, ids, answers, creates, replay, file, pos);
        }
        return;
      }
      boolean keyedPlay = key != null && creates == 0;
      if (!JournalFormat.parseRecord(b, line, end, record)
          || (creates > 0 && (record.third != 0 || record.delta > 0))
          || (keyedPlay && record.delta < 0)
          || (key == null && record.delta > 0 && record.third != 0)) {
        throw damaged(file, line, "bad line in a change whose checksum matches");
      }
      if (creates > 0) {
        replay.add(b, record.idFrom, record.idLength, record.delta, file, line);
        replay.addPending(creates, b, record.idFrom, record.idLength, -record.delta, file, line);
      } else if (record.delta < 0 && record.third > 0) {
        replay.addPending(record.third, b, record.idFrom, record.idLength, record.delta, file,
            line);
      } else {
        replay.add(b, record.idFrom, record.idLength, record.delta, file, line);
      }
      if (ids != null) {
        String id = new String(b, record.idFrom, record.idLength, StandardCharsets.US_ASCII);
        ids.add(id);
        // the answer the request got; a frame written before answers were recorded has none,
        // and then the table as the frame left it is the best that can be said
        answers.add(record.third > 0 ? record.third : replay.count(id));
      }
    }
  }

  /**
   * Remembers the idempotency key of a frame just applied, {@code time kind hi lo fingerprint},
   * with the answer its request got: the counts its lines recorded ({@code answers}, in the
   * order of {@code ids}), or the drain it made.
   */
  private static void replayKey(String[] key, List<String> ids, List<Long> answers, long drain,
      Replay replay, Path file, long offset) throws IOException {
    Long hi = JournalFormat.hex16Value(key[2]);
    Long lo = JournalFormat.hex16Value(key[3]);
    Long fingerprint = JournalFormat.hex16Value(key[4]);
    long time;
    int kind;
    try {
      time = Long.parseLong(key[0]);
      kind = Integer.parseInt(key[1]);
    } catch (NumberFormatException e) {
      throw damaged(file, offset, "bad key in a change whose checksum matches");
    }
    if (hi == null || lo == null || fingerprint == null || kind < 0 || kind > 63) {
      throw damaged(file, offset, "bad key in a change whose checksum matches");
    }
    switch (kind & 3) {
      case KeyedRequest.PLAY -> replay.key(hi, lo, fingerprint, time, kind,
          answers.isEmpty() ? 0 : answers.get(0), null);
      case KeyedRequest.BULK -> {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < ids.size(); i++) {
          body.append(i == 0 ? "" : ",").append(ids.get(i)).append('=').append(answers.get(i));
        }
        replay.key(hi, lo, fingerprint, time, kind, 0, body.toString());
      }
      default -> replay.key(hi, lo, fingerprint, time, kind, drain, null);
    }
  }

  /**
   * Checks the frame whose first line starts at {@code header} and whose song lines start at
   * {@code from}: returns the offset past its {@code end} line when that line is there and
   * matches the lines before it (and the first line, unless it is the plain {@code begin}), else
   * -1.
   */
  private static int frame(byte[] b, int header, int from) {
    CRC32 crc = new CRC32();
    if (!JournalFormat.is(b, header, from - 1, JournalFormat.BEGIN)) {
      crc.update(b, header, from - header);
    }
    long lines = 0;
    for (int line = from; ; ) {
      int end = JournalFormat.lineEnd(b, line, b.length);
      if (end < 0) {
        return -1;
      }
      if (JournalFormat.startsWith(b, line, end, JournalFormat.END)) {
        int space = line + JournalFormat.END.length();
        while (space < end && b[space] != ' ') {
          space++;
        }
        String count = new String(b, line + JournalFormat.END.length(),
            space - line - JournalFormat.END.length(), StandardCharsets.US_ASCII);
        boolean matches = count.equals(Long.toString(lines)) && space < end
            && JournalFormat.hexValue(b, space + 1, end) == crc.getValue();
        return matches ? end + 1 : -1;
      }
      crc.update(b, line, end + 1 - line);
      lines++;
      line = end + 1;
    }
  }

  /** The last byte of a frame that does not check out: its end line's break, or the file's end. */
  private static int frameExtent(byte[] b, int from) {
    for (int line = from; ; ) {
      int end = JournalFormat.lineEnd(b, line, b.length);
      if (end < 0) {
        return b.length;
      }
      if (JournalFormat.startsWith(b, line, end, JournalFormat.END)) {
        return end;
      }
      line = end + 1;
    }
  }

  private static boolean onlyZeros(byte[] b, int from) {
    for (int i = from; i < b.length; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  static IOException damaged(Path file, long offset, String what) {
    return new IOException("playcounter data is damaged: " + what + " in " + file + " at byte "
        + offset + "; refusing to start rather than drop counts (restore the file, or move it"
        + " away to start without it)");
  }

  static List<Long> generations(Path dir) throws IOException {
    List<Long> generations = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      files.map(p -> p.getFileName().toString())
          .filter(name -> name.matches(JOURNAL_PREFIX + "\\d{12}"))
          .forEach(name -> generations.add(Long.parseLong(name.substring(8))));
    }
    generations.sort(null);
    return generations;
  }

  static Path journalFile(Path dir, long g) {
    return dir.resolve(String.format(Locale.ROOT, JOURNAL_PREFIX + "%012d", g));
  }
}
