package org.playcounter.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
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
    long covered = JournalFormat.number(b, HEADER.length(), headerEnd);
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
    table.presize(songs);
    // The lines come stripe by stripe: split them at a stripe's end near the middle and read the
    // halves on two threads, which then never touch the same stripe.
    int split = headerEnd + 1;
    if (songs > 100_000) {
      split = JournalFormat.lineEnd(b, (headerEnd + endLine) / 2, endLine) + 1;
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
    long lines = readLines(b, headerEnd + 1, split, file, replay);
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

  /** Replays the lines {@code id count} in {@code b[from, to)}; returns how many. */
  private static long readLines(byte[] b, int from, int to, Path file, Recovery.Replay replay)
      throws IOException {
    long lines = 0;
    for (int line = from; line < to; ) {
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
      replay.add(b, line, gap - line, count, file, line);
      lines++;
      line = end + 1;
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
  static void write(Path dir, long covered, SongTable table, int epoch, ChannelOpener opener)
      throws IOException {
    Path temp = dir.resolve(FILE + ".tmp");
    try (FileChannel out = opener.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      Writer writer = new Writer(out);
      writer.line(HEADER + covered);
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
