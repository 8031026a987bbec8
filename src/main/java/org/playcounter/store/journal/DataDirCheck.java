package org.playcounter.store.journal;

import java.io.IOException;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.stream.Stream;
import org.playcounter.store.format.DataDirLock;
import org.playcounter.store.keys.KeyTable;
import org.playcounter.store.table.SongTable;

/**
 * The operator's check of a data directory, offline: reads it exactly as a start-up would, changes
 * nothing (it holds the directory's lock file while it reads), and says what a start-up would
 * find (exit status 0, with the totals) or where the first damage is (exit status 1, naming the
 * file and byte offset). With {@code --counts} it also prints
 * every song's count, live plus pending, as {@code id=n} lines, the text {@code POST /} takes.
 *
 * <pre>java -cp WEB-INF/classes org.playcounter.store.journal.DataDirCheck [--counts] DIR</pre>
 */
public final class DataDirCheck {
  private DataDirCheck() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Checks the directory {@code args} name; the exit status: 0 sound, 1 damaged, 2 misused. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    boolean counts = args.length == 2 && args[0].equals("--counts");
    if (args.length != (counts ? 2 : 1) || args[args.length - 1].startsWith("-")) {
      err.println("usage: DataDirCheck [--counts] DATA-DIR");
      return 2;
    }
    Path dir = Paths.get(args[args.length - 1]);
    if (!Files.isDirectory(dir)) {
      err.println(dir + " is not a directory");
      return 2;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.sorted().toList()) {
        err.println(file.getFileName() + " " + Files.size(file) + " bytes");
      }
      DataDirLock lock = lock(dir, err);
      try {
        return check(dir, counts, out, err);
      } finally {
        if (lock != null) {
          lock.close();
        }
      }
    } catch (IOException e) {
      err.println(e.getMessage());
      return 1;
    }
  }

  private static int check(Path dir, boolean counts, PrintStream out, PrintStream err)
      throws IOException {
    SongTable table = new SongTable(Long.MAX_VALUE);
    KeyTable keys = new KeyTable(Long.MAX_VALUE / 4, Integer.MAX_VALUE, Long.MAX_VALUE);
    long next = Recovery.run(dir, table, keys, line -> err.println(line), false);
    long[] songs = {0};
    BigInteger[] plays = {BigInteger.ZERO}; // songs near 2^63 each add up past a long
    table.snapshot((id, count) -> {
      songs[0]++;
      plays[0] = plays[0].add(BigInteger.valueOf(count));
      if (counts) {
        out.println(id + "=" + count);
      }
    });
    err.println("ok: " + songs[0] + " songs holding " + plays[0] + " plays (live plus pending),"
        + " " + table.songs() + " of them live; pending drains "
        + Arrays.toString(table.drains().numbers()) + " holding "
        + table.pendingSongs() + " song counts; " + keys.size() + " idempotency keys"
        + " remembered; the next journal written is generation " + next);
    return 0;
  }

  /**
   * Holds the directory while it is read, so that no deployment starts on it meanwhile; null,
   * with a warning, when a deployment holds it (its last journal may then be mid-write).
   */
  private static DataDirLock lock(Path dir, PrintStream err) {
    try {
      return DataDirLock.take(dir);
    } catch (IOException e) {
      err.println("warning: " + e.getMessage() + "; its last journal may be mid-write, so a"
          + " torn tail there is expected");
      return null;
    }
  }
}
