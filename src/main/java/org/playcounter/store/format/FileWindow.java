package org.playcounter.store.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * A file read front to back through one buffer that is reused, so that reading a journal or a
 * snapshot of hundreds of megabytes costs the heap a few megabytes, not the file's size. The
 * caller decodes the whole records in {@code bytes()[0, to())}, then asks for {@link #more} from
 * the first byte it could not use: those bytes move to the front and more of the file follows
 * them; the buffer doubles when a record is longer than it (a bulk add's record is as long as its
 * request). {@code bytes()[i]} is the file's byte at {@code base() + i}.
 */
public final class FileWindow implements AutoCloseable {
  /** The buffer's first size: many records' worth, few enough to stay out of the way. */
  public static final int INITIAL = 4 << 20;

  private final FileChannel channel;
  private final long size;
  private byte[] b;
  private int to;
  private long base;

  private FileWindow(FileChannel channel, long size, int initial) {
    this.channel = channel;
    this.size = size;
    // at least a version line's worth, so that the first bytes read can be told apart
    this.b = new byte[(int) Math.max(1, Math.min(Math.max(initial, 64), size))];
  }

  /** Opens {@code file} for reading, with the first bytes read. */
  public static FileWindow open(Path file, int initial) throws IOException {
    FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
    try {
      FileWindow window = new FileWindow(channel, channel.size(), initial);
      window.fill();
      return window;
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** The buffer; valid until the next {@link #more}. */
  public byte[] bytes() {
    return b;
  }

  /**
   * The bytes read so far, exactly: the buffer itself when they fill it (as the first read does
   * unless the file is shorter), else a copy; for the version line's check.
   */
  public byte[] head() {
    return to == b.length ? b : Arrays.copyOf(b, to);
  }

  /** The end of the bytes read into the buffer. */
  public int to() {
    return to;
  }

  /** The file offset of {@code bytes()[0]}. */
  public long base() {
    return base;
  }

  /** The file's size, as it was when opened. */
  public long size() {
    return size;
  }

  /** True when the buffer holds the file's last byte. */
  public boolean atEnd() {
    return base + to >= size;
  }

  /**
   * Drops {@code bytes()[0, keep)}, moves the rest to the front and reads more of the file after
   * it, growing the buffer when the kept bytes fill it; false (and nothing changed) at the end.
   */
  public boolean more(int keep) throws IOException {
    if (atEnd()) {
      return false;
    }
    int kept = to - keep;
    if (keep == 0 && kept == b.length) {
      b = Arrays.copyOf(b, (int) Math.min(Integer.MAX_VALUE - 8,
          Math.min(b.length * 2L, size - base)));
    } else {
      System.arraycopy(b, keep, b, 0, kept);
    }
    base += keep;
    to = kept;
    fill();
    return true;
  }

  private void fill() throws IOException {
    ByteBuffer into = ByteBuffer.wrap(b, to, (int) Math.min(b.length - to, size - base - to));
    while (into.hasRemaining()) {
      if (channel.read(into, base + into.position()) < 0) {
        throw new IOException("the file ended at " + (base + into.position()) + " bytes, not "
            + size + ": it shrank while it was read");
      }
    }
    to = into.position();
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
