package org.playcounter.store;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.playcounter.wire.SongId;

/**
 * The append-only record of every change to the counts, kept in a data directory so that they
 * survive a restart or a crash. Each change is one text line, {@code +id n} for plays added or
 * {@code -id n} for a count removed, followed by a CRC-32 of the line; since a count is a plain
 * sum, replaying the lines in any order rebuilds it. A snapshot file holds the counts as of one
 * journal generation; start-up reads it and then every later journal.
 *
 * <p>{@link #append} is thread-safe and returns the file offset just past its record;
 * {@link #awaitDurable} makes that offset durable, and concurrent callers share one fsync (group
 * commit). After an I/O error the journal is failed for good: every later call throws
 * {@link StorageFailedException}, and the deployment must be restarted once the disk is fixed.
 */
final class Journal implements AutoCloseable {
  static final String SNAPSHOT = "snapshot";
  private static final String SNAPSHOT_HEADER = "playcounter-snapshot 1 covers-journal ";
  private static final String JOURNAL_PREFIX = "journal-";
  /** Records formatted and written at a time by one append. */
  private static final int CHUNK = 4096;

  /** System-property prefix that marks a data directory in use by a deployment of this JVM. */
  private static final String IN_USE = "playcounter.data-dir-in-use:";

  private final Path dir;
  private final String inUse;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final ReentrantLock appendLock = new ReentrantLock();
  private final ReentrantLock syncLock = new ReentrantLock();
  private FileChannel channel;
  private long generation;
  /** Bytes written to the current journal file; guarded by appendLock, read freely. */
  private volatile long written;
  /** Bytes of the current journal known to be on disk. */
  private volatile long durable;
  private volatile String failure;
  private volatile long fsyncs;

  private Journal(Path dir, FileChannel lockChannel, FileLock lock, String inUse) {
    this.dir = dir;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.inUse = inUse;
  }

  /**
   * Opens the journal in {@code dir}, creating the directory if needed, takes its lock, and hands
   * every recorded change to {@code replay}, snapshot first.
   *
   * @throws IOException naming the directory when it cannot be written or locked, or naming the
   *     file and byte offset of damage anywhere but in the last record of the last journal
   */
  static Journal open(Path dir, CountReplay replay, Consumer<String> log) throws IOException {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new IOException("data-dir " + dir + " cannot be created: " + e, e);
    }
    // Deployments in one JVM have class loaders of their own, so the JVM-wide registry of
    // directories in use is a system property. It is checked before the lock file is opened,
    // because closing a second channel on a locked file drops the first one's lock on Linux.
    String inUse = IN_USE + dir.toRealPath();
    if (System.getProperties().putIfAbsent(inUse, "locked") != null) {
      throw new IOException("data-dir " + dir + " is in use by another playcounter deployment"
          + " in this JVM");
    }
    FileChannel lockChannel = null;
    FileLock lock = null;
    try {
      try {
        lockChannel = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE,
            StandardOpenOption.WRITE);
      } catch (IOException e) {
        throw new IOException("data-dir " + dir + " is not writable: " + e, e);
      }
      lock = lockChannel.tryLock();
      if (lock == null) {
        throw new IOException("data-dir " + dir + " is in use by another playcounter deployment"
            + " (its lock file is held by another process)");
      }
    } catch (IOException | OverlappingFileLockException e) {
      if (lockChannel != null) {
        lockChannel.close();
      }
      System.getProperties().remove(inUse);
      throw e instanceof IOException io ? io : new IOException("data-dir " + dir
          + " is in use by another playcounter deployment", e);
    }
    Journal journal = new Journal(dir, lockChannel, lock, inUse);
    try {
      journal.recover(replay, log);
      return journal;
    } catch (IOException | RuntimeException e) {
      journal.close();
      throw e;
    }
  }

  private void recover(CountReplay replay, Consumer<String> log) throws IOException {
    long covered = readSnapshot(replay);
    List<Long> generations = journalGenerations();
    for (int i = 0; i < generations.size(); i++) {
      long g = generations.get(i);
      if (g <= covered) {
        Files.deleteIfExists(journalFile(g)); // left by a compaction that ended before cleanup
        continue;
      }
      replayJournal(journalFile(g), replay, i == generations.size() - 1, log);
    }
    generation = generations.isEmpty() ? covered + 1 : Math.max(covered + 1,
        generations.get(generations.size() - 1));
    channel = FileChannel.open(journalFile(generation), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE);
    written = channel.size();
    channel.position(written);
    durable = written;
    syncDirectory();
  }

  /** Reads the snapshot, if any, and returns the last journal generation it covers. */
  private long readSnapshot(CountReplay replay) throws IOException {
    Path file = dir.resolve(SNAPSHOT);
    if (!Files.exists(file)) {
      return 0;
    }
    CRC32 crc = new CRC32();
    long offset = 0;
    long songs = 0;
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
      String header = in.readLine();
      if (header == null || !header.startsWith(SNAPSHOT_HEADER)) {
        throw damaged(file, 0, "not a playcounter snapshot");
      }
      long covered = parseNumber(header.substring(SNAPSHOT_HEADER.length()), file, 0);
      update(crc, header);
      offset += header.length() + 1;
      for (String line = in.readLine(); ; line = in.readLine()) {
        if (line == null) {
          throw damaged(file, offset, "the snapshot ends without its closing line");
        }
        if (line.startsWith("end ")) {
          String[] end = line.split(" ");
          if (end.length != 3 || parseNumber(end[1], file, offset) != songs
              || !end[2].equals(hex(crc.getValue()))) {
            throw damaged(file, offset, "the closing line does not match the snapshot");
          }
          return covered;
        }
        int space = line.indexOf(' ');
        String id = space > 0 ? line.substring(0, space) : "";
        if (SongId.problem(id) != null) {
          throw damaged(file, offset, "bad line");
        }
        replay.add(id, parseNumber(line.substring(space + 1), file, offset));
        update(crc, line);
        offset += line.length() + 1;
        songs++;
      }
    }
  }

  private void replayJournal(Path file, CountReplay replay, boolean last, Consumer<String> log)
      throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    int start = 0;
    while (start < bytes.length) {
      int end = start;
      while (end < bytes.length && bytes[end] != '\n') {
        end++;
      }
      String line = new String(bytes, start, end - start, StandardCharsets.US_ASCII);
      boolean complete = end < bytes.length;
      Change change = complete ? Change.parse(line) : null;
      if (change == null) {
        if (last && isTail(bytes, start)) {
          log.accept("playcounter: dropped a torn last record at offset " + start + " of "
              + file + " (" + (bytes.length - start) + " bytes, written when the process"
              + " stopped mid-write); every record before it is kept");
          try (FileChannel truncate = FileChannel.open(file, StandardOpenOption.WRITE)) {
            truncate.truncate(start);
            truncate.force(true);
          }
          return;
        }
        throw damaged(file, start, "bad record");
      }
      replay.add(change.id, change.delta);
      start = end + 1;
    }
  }

  /** A torn tail is the last line only: no line break after it, or nothing but NUL bytes. */
  private static boolean isTail(byte[] bytes, int start) {
    for (int i = start; i < bytes.length; i++) {
      if (bytes[i] == '\n') {
        for (int j = i + 1; j < bytes.length; j++) {
          if (bytes[j] != 0) {
            return false;
          }
        }
        return true;
      }
    }
    return true;
  }

  /**
   * Appends changes, one line each, and returns the offset just past them; not yet durable. They
   * go in as one piece: written in chunks under one hold of the lock, and cut off again if a
   * write fails part way, so that no other change lands between them and none is half there.
   *
   * @throws StorageFailedException if this or an earlier write failed
   */
  long append(List<String> ids, long[] deltas) {
    appendLock.lock();
    long start = written;
    try {
      checkHealthy();
      StringBuilder lines = new StringBuilder(Math.min(ids.size(), CHUNK) * 32);
      for (int from = 0; from < ids.size(); from += CHUNK) {
        lines.setLength(0);
        for (int i = from; i < Math.min(ids.size(), from + CHUNK); i++) {
          Change.format(ids.get(i), deltas[i], lines);
        }
        write(lines);
      }
      return written;
    } catch (IOException e) {
      try {
        channel.truncate(start);
        channel.position(start);
        written = start;
      } catch (IOException ignored) {
        // recovery will find the partial record, at worst, as damage it names
      }
      throw fail("writing " + journalFile(generation), e);
    } finally {
      appendLock.unlock();
    }
  }

  /** Appends one change; see {@link #append(List, long[])}. */
  long append(String id, long delta) {
    return append(List.of(id), new long[] {delta});
  }

  private void write(CharSequence lines) throws IOException {
    ByteBuffer buffer = StandardCharsets.US_ASCII.encode(lines.toString());
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
    written += buffer.limit();
  }

  /**
   * Returns once every byte up to {@code offset} is on disk. Callers that arrive while an fsync
   * runs wait for it and then find their bytes already covered, or share the next one.
   *
   * @throws StorageFailedException if the fsync failed
   */
  void awaitDurable(long offset) {
    if (durable >= offset) {
      return;
    }
    syncLock.lock();
    try {
      checkHealthy();
      if (durable >= offset) {
        return;
      }
      long target = written;
      channel.force(false);
      fsyncs++;
      durable = Math.max(durable, target);
    } catch (IOException e) {
      throw fail("fsync of " + journalFile(generation), e);
    } finally {
      syncLock.unlock();
    }
  }

  /** Forces what was written so far, for the interval flusher; failures fail the journal. */
  void flush() {
    if (written > durable) {
      awaitDurable(written);
    }
  }

  /** Bytes in the current journal file. */
  long size() {
    return written;
  }

  /** fsyncs done since start. */
  long fsyncs() {
    return fsyncs;
  }

  /** Why the journal stopped, or null while it works. */
  String failure() {
    return failure;
  }

  /**
   * Starts a new journal generation and writes a snapshot of {@code counts}, which the caller
   * guarantees is exactly what the journals so far add up to (no change runs meanwhile). The
   * snapshot is written to a temporary file, fsync'd, renamed into place, and the directory
   * fsync'd; only then are the old journals deleted.
   */
  void compact(SnapshotSource counts) {
    appendLock.lock();
    syncLock.lock();
    try {
      checkHealthy();
      channel.force(false);
      long covered = generation;
      FileChannel next = FileChannel.open(journalFile(covered + 1), StandardOpenOption.CREATE,
          StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
      channel.close();
      channel = next;
      generation = covered + 1;
      written = 0;
      durable = 0;
      syncDirectory();
      Path temp = dir.resolve(SNAPSHOT + ".tmp");
      CRC32 crc = new CRC32();
      long[] songs = {0};
      try (BufferedWriter out = Files.newBufferedWriter(temp, StandardCharsets.US_ASCII)) {
        String header = SNAPSHOT_HEADER + covered;
        out.write(header);
        out.write('\n');
        update(crc, header);
        counts.forEach((id, count) -> {
          String line = id + " " + count;
          try {
            out.write(line);
            out.write('\n');
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          update(crc, line);
          songs[0]++;
        });
        out.write("end " + songs[0] + " " + hex(crc.getValue()) + "\n");
      }
      try (FileChannel snapshot = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        snapshot.force(true);
      }
      try {
        Files.move(temp, dir.resolve(SNAPSHOT), StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, dir.resolve(SNAPSHOT), StandardCopyOption.REPLACE_EXISTING);
      }
      syncDirectory();
      for (long g : journalGenerations()) {
        if (g <= covered) {
          Files.deleteIfExists(journalFile(g));
        }
      }
    } catch (IOException | UncheckedIOException e) {
      throw fail("compaction in " + dir, e);
    } finally {
      syncLock.unlock();
      appendLock.unlock();
    }
  }

  @Override
  public void close() {
    try {
      if (channel != null && channel.isOpen()) {
        if (failure == null) {
          channel.force(false);
        }
        channel.close();
      }
    } catch (IOException e) {
      failure = failure == null ? "closing: " + e : failure;
    } finally {
      try {
        if (lock.isValid()) {
          lock.release();
        }
        lockChannel.close();
      } catch (IOException e) {
        // the lock goes with the process anyway
      } finally {
        System.getProperties().remove(inUse);
      }
    }
  }

  private void checkHealthy() {
    if (failure != null) {
      throw new StorageFailedException(failure);
    }
  }

  private StorageFailedException fail(String what, Exception e) {
    String reason = "storage failed " + what + ": " + e.getMessage();
    if (failure == null) {
      failure = reason;
    }
    return new StorageFailedException(failure);
  }

  private void syncDirectory() throws IOException {
    try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
      directory.force(true);
    } catch (IOException e) {
      if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("win")) {
        throw e;
      }
    }
  }

  private List<Long> journalGenerations() throws IOException {
    List<Long> generations = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      files.map(p -> p.getFileName().toString())
          .filter(name -> name.matches(JOURNAL_PREFIX + "\\d{12}"))
          .forEach(name -> generations.add(Long.parseLong(name.substring(8))));
    }
    generations.sort(null);
    return generations;
  }

  private Path journalFile(long g) {
    return dir.resolve(String.format(Locale.ROOT, JOURNAL_PREFIX + "%012d", g));
  }

  private static long parseNumber(String text, Path file, long offset) throws IOException {
    try {
      long value = Long.parseLong(text);
      if (value < 0) {
        throw damaged(file, offset, "negative number");
      }
      return value;
    } catch (NumberFormatException e) {
      throw damaged(file, offset, "bad number");
    }
  }

  private static IOException damaged(Path file, long offset, String what) {
    return new IOException("playcounter data is damaged: " + what + " in " + file + " at byte "
        + offset + "; refusing to start rather than drop counts (restore the file, or move it"
        + " away to start without it)");
  }

  private static void update(CRC32 crc, String line) {
    crc.update(line.getBytes(StandardCharsets.US_ASCII));
    crc.update('\n');
  }

  static String hex(long crc) {
    return String.format(Locale.ROOT, "%08x", crc);
  }

  /** Receives recovered counts, snapshot and journal lines alike, as deltas to sum. */
  @FunctionalInterface
  interface CountReplay {
    void add(String id, long delta);
  }

  /** Hands the live counts to a snapshot. */
  @FunctionalInterface
  interface SnapshotSource {
    void forEach(CountVisitor<RuntimeException> visitor);
  }

  /** One journal line: {@code +id n crc} or {@code -id n crc}. */
  private record Change(String id, long delta) {
    static void format(String id, long delta, StringBuilder out) {
      int start = out.length();
      out.append(delta < 0 ? '-' : '+').append(id).append(' ').append(Math.abs(delta));
      CRC32 crc = new CRC32();
      crc.update(out.substring(start).getBytes(StandardCharsets.US_ASCII));
      out.append(' ').append(hex(crc.getValue())).append('\n');
    }

    /** Parses one line without its line break; null when it is not a valid record. */
    static Change parse(String line) {
      int lastSpace = line.lastIndexOf(' ');
      if (lastSpace < 3 || (line.charAt(0) != '+' && line.charAt(0) != '-')) {
        return null;
      }
      String body = line.substring(0, lastSpace);
      CRC32 crc = new CRC32();
      crc.update(body.getBytes(StandardCharsets.US_ASCII));
      if (!line.substring(lastSpace + 1).equals(hex(crc.getValue()))) {
        return null;
      }
      int space = body.indexOf(' ');
      if (space < 2) {
        return null;
      }
      String id = body.substring(1, space);
      try {
        long count = Long.parseLong(body.substring(space + 1));
        if (SongId.problem(id) != null || count < 1) {
          return null;
        }
        return new Change(id, body.charAt(0) == '-' ? -count : count);
      } catch (NumberFormatException e) {
        return null;
      }
    }
  }
}
