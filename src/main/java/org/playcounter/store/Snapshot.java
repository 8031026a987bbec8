package org.playcounter.store;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
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

  /** Hands every count of the snapshot to {@code replay}; returns the generation it covers. */
  static long read(Path dir, Recovery.Replay replay) throws IOException {
    Path file = dir.resolve(FILE);
    if (!Files.exists(file)) {
      return 0;
    }
    CRC32 crc = new CRC32();
    long offset = 0;
    long songs = 0;
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
      String header = in.readLine();
      if (header == null || !header.startsWith(HEADER)) {
        throw Recovery.damaged(file, 0, "not a playcounter snapshot");
      }
      long covered = number(header.substring(HEADER.length()), file, 0);
      update(crc, header);
      offset += header.length() + 1;
      for (String line = in.readLine(); ; line = in.readLine()) {
        if (line == null) {
          throw Recovery.damaged(file, offset, "the snapshot ends without its closing line");
        }
        if (line.startsWith("end ")) {
          String[] end = line.split(" ");
          if (end.length != 3 || number(end[1], file, offset) != songs
              || !end[2].equals(String.format("%08x", crc.getValue()))) {
            throw Recovery.damaged(file, offset, "the closing line does not match the snapshot");
          }
          return covered;
        }
        int space = line.indexOf(' ');
        String id = space > 0 ? line.substring(0, space) : "";
        if (SongId.problem(id) != null) {
          throw Recovery.damaged(file, offset, "bad line");
        }
        replay.add(id, number(line.substring(space + 1), file, offset), file, offset);
        update(crc, line);
        offset += line.length() + 1;
        songs++;
      }
    }
  }

  /**
   * Writes the table's counts as the snapshot covering journals up to {@code covered}. The caller
   * holds every change off, so the table is exactly what those journals add up to.
   */
  static void write(Path dir, long covered, SongTable table, ChannelOpener opener)
      throws IOException {
    Path temp = dir.resolve(FILE + ".tmp");
    try (FileChannel out = opener.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      Writer writer = new Writer(out);
      writer.line(HEADER + covered);
      long[] songs = {0};
      table.snapshot((id, count) -> {
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

  private static long number(String text, Path file, long offset) throws IOException {
    try {
      long value = Long.parseLong(text);
      if (value < 0) {
        throw Recovery.damaged(file, offset, "negative number");
      }
      return value;
    } catch (NumberFormatException e) {
      throw Recovery.damaged(file, offset, "bad number");
    }
  }

  private static void update(CRC32 crc, String line) {
    crc.update(line.getBytes(StandardCharsets.US_ASCII));
    crc.update('\n');
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
