package org.playcounter.store.format;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The names of a data directory's files, and forcing the directory itself to disk. */
public final class DataDirectory {
  /** The snapshot's file. */
  public static final String SNAPSHOT = "snapshot";
  /** Where a snapshot is written before it is renamed to {@link #SNAPSHOT}. */
  public static final String SNAPSHOT_TEMP = "snapshot.tmp";
  private static final String JOURNAL_PREFIX = "journal-";
  private static final Pattern JOURNAL = Pattern.compile(JOURNAL_PREFIX + "\\d{12}");
  private static final boolean WINDOWS =
      System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");

  private DataDirectory() {}

  /** The journal file of {@code generation}: {@code journal-} and 12 digits. */
  public static Path journal(Path dir, long generation) {
    return dir.resolve(String.format(Locale.ROOT, JOURNAL_PREFIX + "%012d", generation));
  }

  public static Path snapshot(Path dir) {
    return dir.resolve(SNAPSHOT);
  }

  /** The generations of the journal files in {@code dir}, ascending; other names are ignored. */
  public static List<Long> generations(Path dir) throws IOException {
    List<Long> generations = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      files.map(p -> p.getFileName().toString())
          .filter(name -> JOURNAL.matcher(name).matches())
          .forEach(name -> generations.add(Long.parseLong(
              name.substring(JOURNAL_PREFIX.length()))));
    }
    generations.sort(null);
    return generations;
  }

  /**
   * Forces {@code dir} itself to disk, so that files made, renamed or deleted in it stay so after
   * a power loss. Windows cannot open a directory for that, and there a failure is ignored.
   */
  public static void sync(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      if (!WINDOWS) {
        throw e;
      }
    }
  }
}
