package org.playcounter.store.format;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Hands a big live record's lines to the sink from two threads, split near the middle at a change
 * of group, after proving on both threads that no group has lines in both halves (the store
 * writes them group by group; should a snapshot not, one thread hands them all). The sink sees
 * every line once, and an exception of either thread is thrown once both are done.
 */
final class LiveHalves {
  /** Lines of a live record above which two threads read it. */
  static final int TWO_THREADS = 100_000;
  /** Changes of group in a half beyond which it is taken for not grouped at all. */
  private static final int MAX_RUNS = 1 << 16;

  private LiveHalves() {}

  static void hand(Envelope envelope, byte[] b, RecordSink sink, SnapshotReader.IdGroups groups,
      Path file) throws IOException {
    int from = envelope.bodyFrom;
    int to = envelope.bodyTo;
    int split = split(b, from, to, groups);
    if (split >= to) {
      envelope.hand(from, to, sink);
      return;
    }
    Object[] runs = both(() -> runs(b, from, split, groups), () -> runs(b, split, to, groups),
        file);
    int[] firstRuns = (int[]) runs[0];
    int[] secondRuns = (int[]) runs[1];
    if (firstRuns == null || secondRuns == null || meet(firstRuns, secondRuns)) {
      envelope.hand(from, to, sink);
      return;
    }
    Envelope second = envelope.copy();
    both(() -> {
      envelope.hand(from, split, sink);
      return null;
    }, () -> {
      second.hand(split, to, sink);
      return null;
    }, file);
  }

  /** The start of the first line past the middle whose group differs from the line before. */
  private static int split(byte[] b, int from, int to, SnapshotReader.IdGroups groups) {
    int split = Fields.lineEnd(b, (from + to) / 2, to) + 1;
    int group = split < to ? group(b, split, to, groups) : 0;
    while (split < to && group(b, split, to, groups) == group) {
      split = Fields.lineEnd(b, split, to) + 1;
    }
    return split;
  }

  /** The distinct groups of the lines of {@code b[from, to)}, sorted; null for too many runs. */
  private static int[] runs(byte[] b, int from, int to, SnapshotReader.IdGroups groups) {
    int[] runs = new int[64];
    int count = 0;
    for (int line = from; line < to; line = Fields.lineEnd(b, line, to) + 1) {
      int group = group(b, line, to, groups);
      if (count == 0 || runs[count - 1] != group) {
        if (count == MAX_RUNS) {
          return null;
        }
        if (count == runs.length) {
          runs = Arrays.copyOf(runs, count * 2);
        }
        runs[count++] = group;
      }
    }
    int[] sorted = Arrays.copyOf(runs, count);
    Arrays.sort(sorted);
    return sorted;
  }

  /** True when the sorted arrays share a value. */
  private static boolean meet(int[] first, int[] second) {
    for (int i = 0, j = 0; i < first.length && j < second.length; ) {
      if (first[i] == second[j]) {
        return true;
      }
      if (first[i] < second[j]) {
        i++;
      } else {
        j++;
      }
    }
    return false;
  }

  private static int group(byte[] b, int line, int to, SnapshotReader.IdGroups groups) {
    int gap = Fields.space(b, line, to);
    return groups.of(b, line, gap - line);
  }

  /**
   * Runs {@code first} here and {@code second} on a thread of its own and returns both results;
   * when either fails, throws the first failure once both are done.
   */
  private static Object[] both(Callable<?> first, Callable<?> second, Path file)
      throws IOException {
    FutureTask<?> task = new FutureTask<>(second);
    Thread helper = new Thread(task, "playcounter-restore");
    helper.start();
    Object[] results = new Object[2];
    Throwable failed = null;
    try {
      results[0] = first.call();
    } catch (Throwable t) {
      failed = t;
    }
    try {
      results[1] = task.get();
    } catch (ExecutionException e) {
      failed = failed != null ? failed : e.getCause();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failed = failed != null ? failed
          : new IOException("interrupted while reading " + file, e);
    }
    if (failed instanceof IOException) {
      throw (IOException) failed;
    }
    if (failed instanceof RuntimeException) {
      throw (RuntimeException) failed;
    }
    if (failed instanceof Error) {
      throw (Error) failed;
    }
    if (failed != null) {
      throw new IllegalStateException(failed);
    }
    return results;
  }
}
