package org.playcounter.store;

import org.playcounter.store.format.ChannelOpener;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * Opens real file channels that fail on cue, for the journal's fault tests: a write that stops
 * after a number of bytes (the call that reaches the budget writes up to it and returns, as
 * {@code write(2)} does, and the next call fails), a failing fsync or truncate, a channel closed
 * by an interrupt, or a write that blocks until released. Counts every write and fsync, and
 * remembers each file's size at its last successful fsync, for power-loss simulations.
 */
final class Faults implements ChannelOpener {
  /** Bytes writes may still put in before failing; negative for no limit. */
  volatile long writeBudget = -1;
  /** Writes that may still happen before one is closed by an interrupt; negative for never. */
  volatile int interruptWriteAfter = -1;
  /** fsyncs that may still succeed before one fails; negative for never. */
  volatile int failForceAfter = -1;
  /** fsyncs that may still succeed before a channel is closed by an interrupt in one. */
  volatile int interruptForceAfter = -1;
  volatile boolean failTruncate;
  /** When set, the next write waits for it. */
  volatile CountDownLatch blockWrite;
  /** Set once a write is blocked. */
  final CountDownLatch writeBlocked = new CountDownLatch(1);
  volatile long bytesWritten;
  volatile int writes;
  volatile int forces;
  final Map<Path, Long> forcedSize = new ConcurrentHashMap<>();
  /** When set, fsyncs on a compaction's snapshot thread wait for it (at most a minute). */
  volatile CountDownLatch holdSnapshotForces;

  /** Clears every fault still armed. */
  synchronized void disarm() {
    writeBudget = -1;
    interruptWriteAfter = -1;
    failForceAfter = -1;
    interruptForceAfter = -1;
    failTruncate = false;
    blockWrite = null;
  }

  @Override
  public FileChannel open(Path file, OpenOption... options) throws IOException {
    return new Channel(FileChannel.open(file, options), file);
  }

  private final class Channel extends FileChannel {
    private final FileChannel real;
    private final Path file;

    Channel(FileChannel real, Path file) {
      this.real = real;
      this.file = file;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      CountDownLatch block = blockWrite;
      if (block != null) {
        blockWrite = null;
        writeBlocked.countDown();
        try {
          block.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      writes++;
      if (interruptWriteAfter == 0) {
        interruptWriteAfter = -1;
        real.write(src); // the bytes land, and the call still fails, as an interrupt does it
        close();
        throw new ClosedByInterruptException();
      } else if (interruptWriteAfter > 0) {
        interruptWriteAfter--;
      }
      long budget = writeBudget;
      if (budget == 0) {
        throw new IOException("injected: write failed (No space left on device)");
      }
      int n;
      if (budget > 0 && budget < src.remaining()) {
        ByteBuffer part = src.duplicate();
        part.limit(part.position() + (int) budget);
        n = real.write(part);
        src.position(src.position() + n);
      } else {
        n = real.write(src);
      }
      if (budget > 0) {
        synchronized (Faults.this) {
          if (writeBudget == budget) { // not disarmed or re-armed meanwhile by another thread
            writeBudget = budget - n;
          }
        }
      }
      bytesWritten += n;
      return n;
    }

    @Override
    public void force(boolean metaData) throws IOException {
      CountDownLatch hold = holdSnapshotForces;
      if (hold != null && Thread.currentThread().getName().startsWith("playcounter-snapshot")) {
        try {
          hold.await(1, java.util.concurrent.TimeUnit.MINUTES);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (failForceAfter == 0) {
        failForceAfter = -1;
        throw new IOException("injected: fsync failed (Input/output error)");
      } else if (failForceAfter > 0) {
        failForceAfter--;
      }
      if (interruptForceAfter == 0) {
        interruptForceAfter = -1;
        close();
        throw new ClosedByInterruptException();
      } else if (interruptForceAfter > 0) {
        interruptForceAfter--;
      }
      real.force(metaData);
      forces++;
      forcedSize.put(file, real.size());
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      if (failTruncate) {
        throw new IOException("injected: truncate failed (Input/output error)");
      }
      real.truncate(size);
      return this;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      return real.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
      return real.read(dsts, offset, length);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
      long n = 0;
      for (int i = offset; i < offset + length; i++) {
        n += write(srcs[i]);
      }
      return n;
    }

    @Override
    public long position() throws IOException {
      return real.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      real.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      return real.size();
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target)
        throws IOException {
      throw new UnsupportedOperationException();
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count)
        throws IOException {
      throw new UnsupportedOperationException();
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return real.read(dst, position);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      throw new UnsupportedOperationException();
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
      return real.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
      return real.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
      return real.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
      real.close();
    }
  }
}
