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
import org.playcounter.store.format.Header;
import org.playcounter.store.format.RecordSink;
import org.playcounter.store.format.RecordDecoder;
import org.playcounter.store.format.SnapshotReader;
import org.playcounter.store.keys.KeyTable;
import org.playcounter.store.table.SongHash;
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
    RecoverySink sink = new RecoverySink(table.replay(), table.drains(), keys);
    sink.file(DataDirectory.snapshot(dir));
    long covered = SnapshotReader.read(dir, sink, SongHash::stripe);
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
        Files.deleteIfExists(file); // left by a compaction that ended early
        continue;
      }
      sink.file(file);
      replay(file, sink, i >= last, log);
    }
    table.replay().finish();
    return generations.isEmpty() ? covered + 1
        : Math.max(covered + 1, generations.get(generations.size() - 1));
  }

  private static void replay(Path file, RecoverySink sink, boolean last, Consumer<String> log)
      throws IOException {
    byte[] b = Files.readAllBytes(file);
    int from = RecordDecoder.afterVersion(b, FileKind.JOURNAL, file);
    if (from < 0) {
      return; // made just before a crash: no records yet
    }
    int stop = RecordDecoder.decode(b, from, b.length, FileKind.JOURNAL, file, sink);
    if (stop == b.length) {
      return;
    }
    if (last && onlyZeros(b, RecordDecoder.extent(b, stop, b.length))
        && !recordAfter(b, stop, file)) {
      log.accept("playcounter: dropped a torn last record at offset " + stop + " of " + file
          + " (" + (b.length - stop) + " bytes, written when the process stopped mid-write);"
          + " every change before it is kept");
      try (FileChannel truncate = FileChannel.open(file, StandardOpenOption.WRITE)) {
        truncate.truncate(stop);
        truncate.force(true);
      }
      return;
    }
    throw Damage.at(file, stop, "bad record");
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
  private static boolean recordAfter(byte[] b, int stop, Path file) {
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
    for (int at = stop; at < b.length; ) {
      int eol = -1;
      for (int i = at; i < b.length; i++) {
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
        if (at < b.length && RecordDecoder.decode(b, at, b.length, FileKind.JOURNAL, file, ignore)
            > at) {
          return true;
        }
      } catch (IOException e) {
        return true; // a record whose checksum matches: damage
      }
    }
    return false;
  }

  private static boolean onlyZeros(byte[] b, int from) {
    for (int i = from; i < b.length; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }
}
