package org.playcounter.store.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import org.playcounter.store.format.ChannelOpener;
import org.playcounter.store.format.DataDirectory;
import org.playcounter.store.format.FileKind;
import org.playcounter.store.format.RecordEncoder;

/**
 * The journal file being appended to: its channel, its generation, how many of its bytes are
 * written and how many forced, and the encoder that formats entries into it. Used only by whoever
 * holds the group commit's lock (the volatile offsets are read by others for metrics). A channel
 * closed under a writer (an interrupt) is reopened and cut back to the last known offset, so an
 * interrupt never fails the journal.
 */
final class JournalFile {
  private final Path dir;
  private final ChannelOpener opener;
  private final RecordEncoder out;
  private final ChangeEncoder encoder;
  /** Bytes of the version line every journal file begins with. */
  private final int versionBytes;
  private FileChannel channel;
  private long generation;
  /** Bytes of the file written, as far as the writer knows. */
  private volatile long written;
  /** Bytes of the file known to be on disk. */
  private volatile long durable;
  /** Bytes of the batch being written that the file accepted. */
  private long accepted;
  private volatile long fsyncs;
  /** Set when a reopen found the writer interrupted, so that it gets its interrupt back. */
  private boolean interruptCleared;

  JournalFile(Path dir, ChannelOpener opener, int writeBuffer) {
    this.dir = dir;
    this.opener = opener;
    this.out = new RecordEncoder(writeBuffer);
    this.encoder = new ChangeEncoder(out, this::writeOut);
    out.version(FileKind.JOURNAL);
    this.versionBytes = out.length();
    out.clear();
  }

  /**
   * Opens journal {@code g} to append to it after recovery, writing its version line if it has
   * none (a file made just before a crash), and forces what it holds: it may be only in the page
   * cache, and no change made from here on may outlast what it stands on.
   */
  void open(long g) throws IOException {
    generation = g;
    channel = opener.open(path(), StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    written = channel.size();
    if (!startsWithVersion()) { // recovery found no records in it: empty, torn, or zeros
      channel.truncate(0);
      written = writeVersion(channel);
    }
    channel.position(written);
    channel.force(false);
    durable = written;
  }

  /**
   * Makes journal {@code g}, empty but for its version line, forced, to switch to: every offset
   * of it that a change can end at is then past what a power loss can tear.
   */
  FileChannel create(long g) throws IOException {
    FileChannel next = opener.open(DataDirectory.journal(dir, g), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    try {
      writeVersion(next);
      next.force(false);
    } catch (IOException | RuntimeException e) {
      next.close();
      throw e;
    }
    return next;
  }

  /** Appends to {@code next}, journal {@code g}, from now on; returns the channel it replaces. */
  FileChannel switchTo(FileChannel next, long g) {
    FileChannel old = channel;
    channel = next;
    generation = g;
    written = versionBytes;
    durable = versionBytes;
    return old;
  }

  /** True when the file begins with a whole version line. */
  private boolean startsWithVersion() throws IOException {
    if (written < versionBytes) {
      return false;
    }
    out.reset();
    out.version(FileKind.JOURNAL);
    ByteBuffer head = ByteBuffer.allocate(versionBytes);
    while (head.hasRemaining() && channel.read(head, head.position()) > 0) {
      // reads the first bytes, whatever the channel's position
    }
    boolean same = !head.hasRemaining() && Arrays.equals(head.array(), 0, versionBytes,
        out.bytes(), 0, versionBytes);
    out.reset();
    return same;
  }

  private int writeVersion(FileChannel target) throws IOException {
    out.reset(); // a write that failed part way may have left a record open
    out.version(FileKind.JOURNAL);
    ByteBuffer buffer = ByteBuffer.wrap(out.bytes(), 0, out.length());
    while (buffer.hasRemaining()) {
      target.write(buffer);
    }
    out.clear();
    return versionBytes;
  }

  /**
   * Writes the batch with one write per buffer, from {@code start}, setting each entry's end
   * offset; a channel closed under it is reopened and the batch written once more.
   */
  void write(List<JournalEntry> batch, long start) throws IOException {
    try {
      encode(batch, start);
    } catch (ClosedChannelException e) {
      reopen(start);
      encode(batch, start);
    }
    written = start + accepted;
  }

  private void encode(List<JournalEntry> batch, long start) throws IOException {
    accepted = 0;
    out.reset(); // a write that failed part way may have left a record open
    for (JournalEntry entry : batch) {
      encoder.encode(entry);
      entry.end = start + accepted + out.length();
    }
    writeOut();
  }

  private void writeOut() throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(out.bytes(), 0, out.length());
    while (buffer.hasRemaining()) {
      accepted += channel.write(buffer);
    }
    out.clear();
  }

  /** Forces the file up to what is written; returns the offset now durable. */
  long force() throws IOException {
    long target = written;
    try {
      channel.force(false);
    } catch (ClosedChannelException e) {
      reopen(target);
      channel.force(false);
    }
    fsyncs++;
    durable = Math.max(durable, target);
    return target;
  }

  /** Cuts the file back to {@code at}, where a failed batch began. */
  void cutBack(long at) throws IOException {
    channel.truncate(at);
    channel.position(at);
    written = at;
  }

  /** Sets what the file is taken to hold, after a failed write that could not be cut back. */
  void assume(long bytes) {
    written = bytes;
  }

  /** Bytes of the batch being written that the file accepted before a failure. */
  long accepted() {
    return accepted;
  }

  /** Opens the journal again after its channel was closed under it, cut back to {@code at}. */
  private void reopen(long at) throws IOException {
    interruptCleared |= Thread.interrupted();
    channel = opener.open(path(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    channel.truncate(at);
    channel.position(at);
  }

  /** True once, after a reopen cleared the writer's interrupt. */
  boolean takeInterruptCleared() {
    boolean cleared = interruptCleared;
    interruptCleared = false;
    return cleared;
  }

  /** Forces (unless the journal failed) and closes the file. */
  void close(boolean force) throws IOException {
    if (force) {
      channel.force(false);
    }
    channel.close();
  }

  Path path() {
    return DataDirectory.journal(dir, generation);
  }

  long generation() {
    return generation;
  }

  long written() {
    return written;
  }

  long durable() {
    return durable;
  }

  long fsyncs() {
    return fsyncs;
  }

  /** True when the file holds changes since its version line. */
  boolean holdsChanges() {
    return written > versionBytes;
  }
}
