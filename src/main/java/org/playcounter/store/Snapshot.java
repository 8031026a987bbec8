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
 * The counts as of one journal generation, in the file {@value #FILE}: a header line naming the
 * generation, a line {@code id count} per song, and {@code end songs crc} with a CRC-32 of every
 * line before it. Written to a temporary file, forced and renamed into place, so a crash leaves
 * either the old snapshot or the new one.
 */
final class Snapshot {
  static final String FILE = "snapshot";
  private static final String HEADER = "playcounter-snapshot 1 covers-journal ";
  private static final String NEXT_DRAIN = " next-drain ";
  private static final String DRAIN = "drain ";
  private static final String KEY = "key ";

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
    if (headerEnd < 0 || !JournalFormat.startsWith(b, 0, headerEnd, HEADER)) {
      throw Recovery.damaged(file, 0, "not a playcounter snapshot");
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
    int liveStart = readPending(b, headerEnd + 1, endLine, file, replay);
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
   * songs' lines, and returns where the live songs' lines start.
   */
  private static int readPending(byte[] b, int from, int to, Path file, Recovery.Replay replay)
      throws IOException {
    int at = from;
    while (at < to) {
      int end = JournalFormat.lineEnd(b, at, to);
      if (end >= 0 && JournalFormat.startsWith(b, at, end, KEY)) {
        readKey(new String(b, at + KEY.length(), end - at - KEY.length(),
            StandardCharsets.US_ASCII), replay, file, at);
        at = end + 1;
        continue;
      }
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

  /** A remembered key: {@code time kind hi lo fingerprint value [body]}. */
  private static void readKey(String line, Recovery.Replay replay, Path file, long offset)
      throws IOException {
    String[] f = line.split(" ");
    try {
      Long hi = JournalFormat.hex16Value(f[2]);
      Long lo = JournalFormat.hex16Value(f[3]);
      Long fingerprint = JournalFormat.hex16Value(f[4]);
      if ((f.length == 6 || f.length == 7) && hi != null && lo != null && fingerprint != null) {
        replay.key(hi, lo, fingerprint, Long.parseLong(f[0]), Integer.parseInt(f[1]),
            Long.parseLong(f[5]), f.length == 7 ? f[6] : null);
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
   * Writes the table's counts as of cut {@code epoch} as the snapshot covering journals up to
   * {@code covered}: the cut was made when those journals held exactly what the table did.
   */
  static void write(Path dir, long covered, SongTable table, int epoch,
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
      IOException[] failed = {null};
      keys.forEach((hi, lo, fingerprint, time, kind, value, body) -> {
        try {
          writer.line(KEY + time + " " + kind + " " + JournalFormat.hex16(hi) + " "
              + JournalFormat.hex16(lo) + " " + JournalFormat.hex16(fingerprint) + " " + value
              + (body == null ? "" : " " + body));
        } catch (IOException e) {
          failed[0] = e;
        }
      });
      if (failed[0] != null) {
        throw failed[0];
      }
      long[] songs = {0};
      table.forEachAt(epoch, (id, count) -> {
        writer.line(id + " " + count);
        songs[0]++;
      });
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

    void line(String line) throws IOException {
      if (buffer.remaining() < line.length() + 1) {
        drain();
      }
      int start = buffer.position();
      for (int i = 0; i < line.length(); i++) {
        buffer.put((byte) line.charAt(i));
      }
      buffer.put((byte) '\n');
      crc.update(buffer.array(), start, buffer.position() - start);
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
