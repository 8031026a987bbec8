package org.playcounter.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.zip.CRC32;
import org.playcounter.wire.SongId;

/**
 * The counts as of one journal generation, in the file {@value #FILE}. Every section is
 * delimited by a header that says how many lines follow, so no line is ever read as syntax by
 * its look and a song may be named like any word of the format:
 *
 * <pre>
 * playcounter-snapshot 2 covers-journal G next-drain D
 * drain N S          (one section per pending drain: S lines "id count")
 * keys K             (K lines "key time kind hi lo fingerprint value", a bulk add's with " =body")
 * live S             (S lines "id count")
 * end S crc          (S again, and a CRC-32 of every line before it)
 * </pre>
 *
 * Written to a temporary file, forced and renamed into place, so a crash leaves either the old
 * snapshot or the new one. A snapshot of another version is refused, naming it.
 */
final class Snapshot {
  static final String FILE = "snapshot";
  static final int VERSION = 2;
  private static final String MAGIC = "playcounter-snapshot ";
  private static final String HEADER = MAGIC + VERSION + " covers-journal ";
  private static final String NEXT_DRAIN = " next-drain ";
  private static final String DRAIN = "drain ";
  private static final String KEYS = "keys ";
  private static final String KEY = "key ";
  private static final String LIVE = "live ";

  private Snapshot() {}

  /**
   * Hands every count of the snapshot to {@code replay}, after checking its closing line and CRC
   * and making room in {@code table} for its songs; returns the generation it covers. Reads the
   * file whole and parses bytes, with no string per song.
   */
  static long read(Path dir, SongTable table, Recovery.Replay replay) throws IOException {
    Path file = dir.resolve(FILE);
    if (!Files.exists(file)) {
      return 0;
    }
    byte[] b = Files.readAllBytes(file);
    int headerEnd = JournalFormat.lineEnd(b, 0, b.length);
    if (headerEnd < 0 || !JournalFormat.startsWith(b, 0, headerEnd, MAGIC)) {
      throw Recovery.damaged(file, 0, "not a playcounter snapshot");
    }
    if (!JournalFormat.startsWith(b, 0, headerEnd, HEADER)) {
      int versionEnd = MAGIC.length();
      while (versionEnd < headerEnd && b[versionEnd] != ' ') {
        versionEnd++;
      }
      throw new IOException(file + " is a snapshot of format version "
          + new String(b, MAGIC.length(), versionEnd - MAGIC.length(), StandardCharsets.US_ASCII)
          + "; this playcounter reads version " + VERSION + " only and refuses to start rather"
          + " than misread it (move the data directory away to start empty)");
    }
    int coveredEnd = HEADER.length();
    while (coveredEnd < headerEnd && b[coveredEnd] != ' ') {
      coveredEnd++;
    }
    long covered = JournalFormat.number(b, HEADER.length(), coveredEnd);
    long nextDrain = 1;
    if (coveredEnd < headerEnd) {
      nextDrain = JournalFormat.startsWith(b, coveredEnd, headerEnd, NEXT_DRAIN)
          ? JournalFormat.number(b, coveredEnd + NEXT_DRAIN.length(), headerEnd) : -1;
      if (nextDrain < 1) {
        throw Recovery.damaged(file, 0, "bad snapshot header");
      }
    }
    int endLine = b.length - 1;
    while (endLine > 0 && b[endLine - 1] != '\n') {
      endLine--;
    }
    if (b.length == 0 || b[b.length - 1] != '\n' || endLine <= headerEnd
        || !JournalFormat.startsWith(b, endLine, b.length - 1, "end ")) {
      throw Recovery.damaged(file, endLine, "the snapshot ends without its closing line");
    }
    int space = endLine + 4;
    while (space < b.length - 1 && b[space] != ' ') {
      space++;
    }
    long songs = JournalFormat.number(b, endLine + 4, space);
    if (covered < 0 || songs < 0 || JournalFormat.hexValue(b, space + 1, b.length - 1)
        != JournalFormat.crc(b, 0, endLine)) {
      throw Recovery.damaged(file, endLine, "the closing line does not match the snapshot");
    }
    int at = readPending(b, headerEnd + 1, endLine, file, replay);
    at = readKeys(b, at, endLine, file, replay);
    int liveEnd = JournalFormat.lineEnd(b, at, endLine);
    long live = liveEnd < 0 || !JournalFormat.startsWith(b, at, liveEnd, LIVE) ? -1
        : JournalFormat.number(b, at + LIVE.length(), liveEnd);
    if (live != songs) {
      throw Recovery.damaged(file, at, "no live section of " + songs + " songs");
    }
    int liveStart = liveEnd + 1;
    replay.nextDrain(nextDrain);
    table.presize(songs);
    // The lines come stripe by stripe: split them at a stripe's end near the middle and read the
    // halves on two threads, which then never touch the same stripe.
    int split = liveStart;
    if (songs > 100_000) {
      split = JournalFormat.lineEnd(b, (liveStart + endLine) / 2, endLine) + 1;
      int stripe = split < endLine ? stripeOfLine(b, split, endLine) : -1;
      while (split < endLine && stripeOfLine(b, split, endLine) == stripe) {
        split = JournalFormat.lineEnd(b, split, endLine) + 1;
      }
    }
    int from = split;
    int to = endLine;
    FutureTask<Long> second = new FutureTask<>(() -> readLines(b, from, to, file, replay));
    Thread helper = new Thread(second, "playcounter-restore");
    helper.start();
    long lines = readLines(b, liveStart, split, file, replay);
    try {
      lines += second.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while reading " + file, e);
    }
    if (lines != songs) {
      throw Recovery.damaged(file, endLine, "the closing line does not match the snapshot");
    }
    return covered;
  }

  /**
   * Reads the pending drains' sections at {@code from}, each a line {@code drain N songs} and its
   * songs' lines, and returns where the next section starts.
   */
  private static int readPending(byte[] b, int from, int to, Path file, Recovery.Replay replay)
      throws IOException {
    int at = from;
    while (at < to) {
      int end = JournalFormat.lineEnd(b, at, to);
      if (end < 0 || !JournalFormat.startsWith(b, at, end, DRAIN)) {
        return at;
      }
      int space = at + DRAIN.length();
      while (space < end && b[space] != ' ') {
        space++;
      }
      long number = JournalFormat.number(b, at + DRAIN.length(), space);
      long songs = space < end ? JournalFormat.number(b, space + 1, end) : -1;
      if (number < 1 || songs < 0) {
        throw Recovery.damaged(file, at, "bad drain line");
      }
      replay.create(number, file, at);
      at = end + 1;
      for (long i = 0; i < songs; i++) {
        if (at >= to) {
          throw Recovery.damaged(file, at, "drain " + number + " ends early");
        }
        at = readLine(b, at, to, file, (id, length, count) ->
            replay.addPending(number, b, id, length, count, file, id));
      }
    }
    return at;
  }

  /** Reads the section {@code keys K} at {@code at} and its K lines; returns where it ends. */
  private static int readKeys(byte[] b, int at, int to, Path file, Recovery.Replay replay)
      throws IOException {
    int end = JournalFormat.lineEnd(b, at, to);
    long keys = end < 0 || !JournalFormat.startsWith(b, at, end, KEYS) ? -1
        : JournalFormat.number(b, at + KEYS.length(), end);
    if (keys < 0) {
      throw Recovery.damaged(file, at, "no keys section");
    }
    at = end + 1;
    for (long i = 0; i < keys; i++) {
      end = JournalFormat.lineEnd(b, at, to);
      if (end < 0 || !JournalFormat.startsWith(b, at, end, KEY)) {
        throw Recovery.damaged(file, at, "bad key line");
      }
      readKey(new String(b, at + KEY.length(), end - at - KEY.length(),
          StandardCharsets.US_ASCII), replay, file, at);
      at = end + 1;
    }
    return at;
  }

  /**
   * A remembered key: {@code time kind hi lo fingerprint value}, and for a bulk add's answer
   * {@code =body} after it, the body maybe empty.
   */
  private static void readKey(String line, Recovery.Replay replay, Path file, long offset)
      throws IOException {
    String[] f = line.split(" ", -1);
    try {
      Long hi = JournalFormat.hex16Value(f[2]);
      Long lo = JournalFormat.hex16Value(f[3]);
      Long fingerprint = JournalFormat.hex16Value(f[4]);
      int kind = Integer.parseInt(f[1]);
      boolean bulk = (kind & 3) == KeyedRequest.BULK;
      if (f.length == (bulk ? 7 : 6) && hi != null && lo != null && fingerprint != null
          && kind >= 0 && kind <= 63 && (!bulk || f[6].startsWith("="))) {
        replay.key(hi, lo, fingerprint, Long.parseLong(f[0]), kind, Long.parseLong(f[5]),
            bulk ? f[6].substring(1) : null);
        return;
      }
    } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
      // falls through to the refusal
    }
    throw Recovery.damaged(file, offset, "bad key line");
  }

  /** Where a song line's parts go. */
  @FunctionalInterface
  private interface LineTarget {
    void take(int idFrom, int idLength, long count) throws IOException;
  }

  /** Reads the line {@code id count} at {@code line} into {@code target}; returns the next. */
  private static int readLine(byte[] b, int line, int to, Path file, LineTarget target)
      throws IOException {
    int end = JournalFormat.lineEnd(b, line, to);
    int gap = line;
    while (gap < end && b[gap] != ' ') {
      gap++;
    }
    long count = JournalFormat.number(b, gap + 1, end);
    if (end < 0 || gap - line < 1 || gap - line > SongId.MAX_LENGTH || count < 1
        || !idChars(b, line, gap)) {
      throw Recovery.damaged(file, line, "bad line");
    }
    target.take(line, gap - line, count);
    return end + 1;
  }

  /** Replays the lines {@code id count} in {@code b[from, to)}; returns how many. */
  private static long readLines(byte[] b, int from, int to, Path file, Recovery.Replay replay)
      throws IOException {
    long lines = 0;
    for (int line = from; line < to; lines++) {
      line = readLine(b, line, to, file, (id, length, count) ->
          replay.add(b, id, length, count, file, id));
    }
    return lines;
  }

  /** The stripe of the song on the line at {@code line}. */
  private static int stripeOfLine(byte[] b, int line, int to) {
    int gap = line;
    while (gap < to && b[gap] != ' ' && b[gap] != '\n') {
      gap++;
    }
    return SongTable.stripeNumber(CountTable.hash(b, line, gap - line));
  }

  private static boolean idChars(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (!SongId.isIdChar((char) b[i])) {
        return false;
      }
    }
    return true;
  }

  /**
   * Writes the table's counts as of cut {@code epoch}, when it held {@code live} songs, as the
   * snapshot covering journals up to {@code covered}: the cut was made when those journals held
   * exactly what the table did.
   */
  static void write(Path dir, long covered, SongTable table, int epoch, long live,
      PendingDrain.State drains, IdempotencyKeys.Copy keys, ChannelOpener opener)
      throws IOException {
    Path temp = dir.resolve(FILE + ".tmp");
    try (FileChannel out = opener.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      Writer writer = new Writer(out);
      writer.line(HEADER + covered + NEXT_DRAIN + drains.next());
      for (int i = 0; i < drains.numbers().length; i++) {
        writer.line(DRAIN + drains.numbers()[i] + " " + drains.drains()[i].size());
        drains.drains()[i].forEach((id, count) -> writer.line(id + " " + count));
      }
      writer.line(KEYS + keys.size());
      IOException[] failed = {null};
      keys.forEach((hi, lo, fingerprint, time, kind, value, body) -> {
        try {
          writer.line(KEY + time + " " + kind + " " + JournalFormat.hex16(hi) + " "
              + JournalFormat.hex16(lo) + " " + JournalFormat.hex16(fingerprint) + " " + value
              + ((kind & 3) == KeyedRequest.BULK ? " =" + (body == null ? "" : body) : ""));
        } catch (IOException e) {
          failed[0] = e;
        }
      });
      if (failed[0] != null) {
        throw failed[0];
      }
      writer.line(LIVE + live);
      long[] songs = {0};
      table.forEachAt(epoch, (id, count) -> {
        writer.line(id + " " + count);
        songs[0]++;
      });
      if (songs[0] != live) {
        throw new IllegalStateException("the cut held " + songs[0] + " songs, not " + live);
      }
      writer.flushClosing("end " + songs[0] + " " + String.format("%08x", writer.crc.getValue()));
      out.force(true);
    }
    try {
      Files.move(temp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Lines into a buffer, written out as it fills; the CRC covers every line. */
  private static final class Writer {
    private final FileChannel out;
    private final ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
    private final CRC32 crc = new CRC32();

    Writer(FileChannel out) {
      this.out = out;
    }

    /** One line of any length: one longer than the buffer goes out in pieces. */
    void line(String line) throws IOException {
      for (int from = 0; from < line.length(); ) {
        if (!buffer.hasRemaining()) {
          drain();
        }
        int to = Math.min(line.length(), from + buffer.remaining());
        int start = buffer.position();
        for (int i = from; i < to; i++) {
          buffer.put((byte) line.charAt(i));
        }
        crc.update(buffer.array(), start, buffer.position() - start);
        from = to;
      }
      if (!buffer.hasRemaining()) {
        drain();
      }
      buffer.put((byte) '\n');
      crc.update('\n');
    }

    void flushClosing(String end) throws IOException {
      line(end);
      drain();
    }

    private void drain() throws IOException {
      buffer.flip();
      while (buffer.hasRemaining()) {
        out.write(buffer);
      }
      buffer.clear();
    }
  }
}
