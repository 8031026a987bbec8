package org.playcounter.store.format;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A data directory held by one deployment: refused to a second one in the same JVM (a JVM-wide
 * registry) or in another process (the {@code lock} file, held with a file lock).
 */
public final class DataDirLock implements AutoCloseable {
  /** System-property prefix that marks a data directory in use by a deployment of this JVM. */
  private static final String IN_USE = "playcounter.data-dir-in-use:";

  private final String inUse;
  private final FileChannel channel;
  private final FileLock lock;

  private DataDirLock(String inUse, FileChannel channel, FileLock lock) {
    this.inUse = inUse;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Creates {@code dir} if needed and takes it.
   *
   * @throws IOException naming the directory when it cannot be created, written or taken
   */
  public static DataDirLock take(Path dir) throws IOException {
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
    FileChannel channel = null;
    try {
      try {
        channel = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE,
            StandardOpenOption.WRITE);
      } catch (IOException e) {
        throw new IOException("data-dir " + dir + " is not writable: " + e, e);
      }
      FileLock lock = channel.tryLock();
      if (lock == null) {
        throw new IOException("data-dir " + dir + " is in use by another playcounter deployment"
            + " (its lock file is held by another process)");
      }
      return new DataDirLock(inUse, channel, lock);
    } catch (IOException | OverlappingFileLockException e) {
      if (channel != null) {
        channel.close();
      }
      System.getProperties().remove(inUse);
      throw e instanceof IOException io ? io : new IOException("data-dir " + dir
          + " is in use by another playcounter deployment", e);
    }
  }

  /** Gives the directory up. */
  @Override
  public void close() {
    try {
      if (lock.isValid()) {
        lock.release();
      }
      channel.close();
    } catch (IOException e) {
      // the lock goes with the process anyway
    } finally {
      System.getProperties().remove(inUse);
    }
  }
}
