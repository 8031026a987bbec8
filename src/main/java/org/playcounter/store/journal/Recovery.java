package org.playcounter.store.journal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Consumer;
import org.playcounter.store.format.DataDirectory;
import org.playcounter.store.format.Damage;
import org.playcounter.store.format.FileKind;
import org.playcounter.store.format.FileWindow;
import org.playcounter.store.format.Header;
import org.playcounter.store.format.RecordSink;
import org.playcounter.store.format.RecordDecoder;
import org.playcounter.store.format.SnapshotReader;
import org.playcounter.store.keys.KeyTable;
import org.playcounter.store.table.SongTable;

/**
 * Rebuilds the counts and keys from a data directory: the snapshot, then every later journal in
 * order, through {@link RecoverySink}. Only the last record of the last journal that holds any
 * may be torn (a crash or a power loss mid-write): it is dropped with a warning and cut off. Any
 * other damage stops start-up naming the file and the byte offset, and so does a file of another
 * format version, naming it; nothing is ever misread.
 */
final class Recovery {
  private Recovery() {}

  /**
   * Replays {@code dir} into {@code table} and {@code keys} and returns the journal generation
   * to append to.
   *
   * @throws IOException naming the file and offset of damage
   */
  static long run(Path dir, SongTable table, KeyTable keys, Consumer<String> log)
      throws IOException {
    return run(dir, table, keys, log, true);
  }

  /**
   * The same; with {@code repair} false nothing in {@code dir} is changed (a torn tail is only
   * reported, journals a snapshot covers are skipped rather than deleted), for a check of a
   * directory that no deployment has open.
   */
  static long run(Path dir, SongTable table, KeyTable keys, Consumer<String> log, boolean repair)
      throws IOException {
    try {
      return replayAll(dir, table, keys, log, repair);
    } finally {
      table.replay().close(); // a refused start leaves no worker thread behind
    }
  }

  private static long replayAll(Path dir, SongTable table, KeyTable keys, Consumer<String> log,
      boolean repair)
      throws IOException {
    RecoverySink sink = new RecoverySink(table.replay(), table.drains(), keys);
    sink.file(DataDirectory.snapshot(dir));
    long covered;
    try {
      covered = SnapshotReader.read(dir, sink);
    } catch (IOException e) {
      sink.settle(); // damage of a change held back comes before it in the file
      throw e;
    }
    List<Long> generations = DataDirectory.generations(dir);
    // A torn tail is allowed in the last journal that holds anything: an empty one after it (a
    // compaction that failed once it had made the file) holds no change that could follow it.
    int last = generations.size() - 1;
    while (last > 0 && generations.get(last) > covered
        && !holdsRecords(DataDirectory.journal(dir, generations.get(last)))) {
      last--;
    }
    for (int i = 0; i < generations.size(); i++) {
      long g = generations.get(i);
      Path file = DataDirectory.journal(dir, g);
      if (g <= covered) {
        if (repair) {
          Files.deleteIfExists(file); // left by a compaction that ended early
        }
        continue;
      }
      sink.file(file);
      replay(file, sink, i >= last, log, repair);
    }
    sink.settle();
    table.replay().finish();
    return generations.isEmpty() ? covered + 1
        : Math.max(covered + 1, generations.get(generations.size() - 1));
  }

  /** Replays one journal through a window of the file, a few megabytes whatever its size. */
  private static void replay(Path file, RecoverySink sink, boolean last, Consumer<String> log,
      boolean repair) throws IOException {
    try (FileWindow w = FileWindow.open(file, FileWindow.INITIAL)) {
      int at = RecordDecoder.afterVersion(w.head(), FileKind.JOURNAL, file);
      if (at < 0) {
        if (!w.atEnd()) { // zeros for all the window holds: a power loss, or damage further on
          everZero(w, file);
        }
        return; // made just before a crash: no records yet
      }
      RecordDecoder decoder = new RecordDecoder(FileKind.JOURNAL, file);
      while (true) {
        int stop;
        try {
          stop = decoder.decode(w.bytes(), w.base(), at, w.to(), sink);
        } catch (IOException e) {
          sink.settle(); // damage of a change held back comes before it in the file
          throw e;
        }
        if (stop == w.to() || (!w.atEnd()
            && RecordDecoder.extent(w.bytes(), stop, w.to()) == w.to())) {
          if (!w.more(stop)) {
            return; // every record decoded
          }
          at = 0; // the rest, or a record the window's end cut off, comes next
          continue;
        }
        while (w.more(stop)) { // all that follows a record that does not check out
          stop = 0;
        }
        sink.settle(); // damage before the tail refuses the start before the tail is cut
        cutTornTail(file, w.bytes(), stop, w.to(), w.base(), last, log, repair);
        return;
      }
    }
  }

  /**
   * A record at {@code b[stop]} (the file's {@code base + stop}) that does not check out, the file
   * ending at {@code b[to]}: a torn tail of the last journal is cut off with a warning; anything
   * else is damage.
   */
  private static void cutTornTail(Path file, byte[] b, int stop, int to, long base,
      boolean last, Consumer<String> log, boolean repair) throws IOException {
    if (last && RecordDecoder.zeros(b, RecordDecoder.extent(b, stop, to), to)
        && !recordAfter(b, stop, to, base, file)) {
      log.accept("playcounter: " + (repair ? "dropped" : "a start-up drops") + " a torn last"
          + " record at offset " + (base + stop) + " of " + file + " (" + (to - stop)
          + " bytes, written when the process stopped mid-write); every change before it is"
          + " kept");
      if (!repair) {
        return;
      }
      try (FileChannel truncate = FileChannel.open(file, StandardOpenOption.WRITE)) {
        truncate.truncate(base + stop);
        truncate.force(true);
      }
      return;
    }
    throw Damage.at(file, base + stop, "bad record");
  }

  /** Reads the rest of a journal that began with zeros; damage where anything else is found. */
  private static void everZero(FileWindow w, Path file) throws IOException {
    for (int from = 0; ; from = w.to()) {
      byte[] b = w.bytes();
      for (int i = from; i < w.to(); i++) {
        if (b[i] != 0) {
          throw Damage.at(file, w.base() + i, "bytes after the zeros a journal begins with");
        }
      }
      if (!w.more(w.to())) {
        return;
      }
    }
  }

  /** True when the journal holds more than its version line (or a torn one). */
  private static boolean holdsRecords(Path file) throws IOException {
    if (Files.size(file) > 64) {
      return true;
    }
    byte[] b = Files.readAllBytes(file);
    int from = RecordDecoder.afterVersion(b, FileKind.JOURNAL, file);
    return from >= 0 && from < b.length;
  }

  /**
   * True when a whole record starts at a line after the one at {@code stop}: then what failed to
   * decode was damaged, not torn, since a torn write is only ever the file's last bytes.
   */
  private static boolean recordAfter(byte[] b, int stop, int to, long base, Path file) {
    RecordSink ignore = new RecordSink() {
      @Override
      public void single(byte[] bytes, int idFrom, int idLength, long delta, long offset) {}

      @Override
      public void begin(Header header) {}

      @Override
      public void line(byte[] bytes, int idFrom, int idLength, long n, long x, long offset) {}

      @Override
      public void end(Header header) {}
    };
    for (int at = stop; at < to; ) {
      int eol = -1;
      for (int i = at; i < to; i++) {
        if (b[i] == '\n') {
          eol = i;
          break;
        }
      }
      if (eol < 0) {
        return false;
      }
      at = eol + 1;
      try {
        if (at < to && RecordDecoder.decode(b, base, at, to, FileKind.JOURNAL, file, ignore)
            > at) {
          return true;
        }
      } catch (IOException e) {
        return true; // a record whose checksum matches: damage
      }
    }
    return false;
  }
}
