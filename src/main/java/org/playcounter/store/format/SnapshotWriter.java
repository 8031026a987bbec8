package org.playcounter.store.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes a snapshot to {@code snapshot.tmp}, forced, then renamed atomically to {@code snapshot},
 * so that a crash leaves either the old snapshot or the new one. Records go in the order the
 * reader demands (the snapshot record, pending drains by ascending number, keys, the live
 * record), and anything out of that order throws {@link IllegalStateException}. Until
 * {@link #commit()} returns, the old snapshot is untouched; {@link #close()} before it deletes
 * the temporary file.
 */
public final class SnapshotWriter implements AutoCloseable {
  /**
   * The most lines of one live record: the songs are written as many records, each naming the
   * songs of them all, so that a reader holds one record at a time (about a megabyte) and makes
   * room for every song when the first arrives.
   */
  public static final int LIVE_LINES = 1 << 16;
  private static final int BUFFER = 1 << 20;
  /** The stages: the snapshot record is due, then pending drains, keys, live, then done. */
  private static final int HEADER = 0;
  private static final int PENDING = 1;
  private static final int KEYS = 2;
  private static final int LIVE = 3;
  private static final int DONE = 4;

  private final Path dir;
  private final Path temp;
  private final FileChannel channel;
  private final RecordEncoder encoder = new RecordEncoder(BUFFER);
  private int stage = HEADER;
  private boolean open;
  private long lastPending;
  private boolean committed;
  /** The live songs declared, and those not yet written: of the open live record, and in all. */
  private long liveSongs;
  private long liveRecordLeft;
  private long liveLeft;

  private SnapshotWriter(Path dir, Path temp, FileChannel channel) {
    this.dir = dir;
    this.temp = temp;
    this.channel = channel;
  }

  /** Starts a snapshot of {@code dir} in its temporary file, with the version line. */
  public static SnapshotWriter create(Path dir, ChannelOpener opener) throws IOException {
    Path temp = dir.resolve(DataDirectory.SNAPSHOT_TEMP);
    SnapshotWriter writer = new SnapshotWriter(dir, temp, opener.open(temp,
        StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING));
    writer.encoder.version(FileKind.SNAPSHOT);
    return writer;
  }

  /** The snapshot record: it covers journals up to {@code coveredGeneration}. */
  public void header(long coveredGeneration, long nextDrain) throws IOException {
    stage(HEADER, PENDING);
    encoder.begin(Kind.SNAPSHOT, 0);
    encoder.arg(coveredGeneration);
    encoder.arg(nextDrain);
    encoder.end();
  }

  /** Opens the record of pending drain {@code number}, whose {@code songs} lines come next. */
  public void beginPending(long number, long songs) throws IOException {
    if (number <= lastPending) {
      throw new IllegalStateException("pending drain " + number + " after " + lastPending);
    }
    stage(PENDING, PENDING);
    lastPending = number;
    open = true;
    room();
    encoder.begin(Kind.PENDING, songs);
    encoder.arg(number);
  }

  /**
   * Opens the live records, whose {@code songs} lines come next: written as records of at most
   * {@link #LIVE_LINES} lines, each naming {@code songs} (none at all holds one empty record).
   */
  public void beginLive(long songs) throws IOException {
    if (songs < 0) {
      throw new IllegalArgumentException("songs < 0: " + songs);
    }
    stage(Math.max(stage, PENDING), LIVE);
    open = true;
    liveSongs = songs;
    liveLeft = songs;
    room();
    beginLiveRecord();
  }

  /** A body line of the open pending or live record. */
  public void line(String id, long count) throws IOException {
    if (!open) {
      throw new IllegalStateException("no pending or live record is open");
    }
    room();
    if (stage == LIVE) {
      if (liveLeft == 0) {
        throw new IllegalStateException("more live songs than the " + liveSongs + " declared");
      }
      if (liveRecordLeft == 0) {
        encoder.end();
        room();
        beginLiveRecord();
      }
      liveRecordLeft--;
      liveLeft--;
    }
    encoder.body(id, count);
  }

  private void beginLiveRecord() {
    liveRecordLeft = Math.min(LIVE_LINES, liveLeft);
    encoder.begin(Kind.LIVE, liveRecordLeft);
    if (liveSongs > 0) {
      encoder.arg(liveSongs);
    }
  }

  /** Ends the open pending or live record; {@link IllegalStateException} if lines != declared. */
  public void endRecord() throws IOException {
    if (!open) {
      throw new IllegalStateException("no pending or live record is open");
    }
    if (stage == LIVE && liveLeft != 0) {
      throw new IllegalStateException("the live records declared " + liveSongs + " songs but"
          + " have " + (liveSongs - liveLeft));
    }
    room();
    encoder.end();
    open = false;
    if (stage == LIVE) {
      stage = DONE;
    }
  }

  /**
   * A remembered idempotency key and its answer: {@code value} (a count or a drain number), or
   * for a bulk add ({@code (kind & 3) == 1}) {@code bulkBody}, {@code "id=n,id=n"} ({@code ""}
   * or null for no pairs), written as body lines {@code id n} with V = 0 ({@code value} is then
   * not written). {@code bulkBody} must be null for any other kind.
   */
  public void key(long time, int kind, long hi, long lo, long fingerprint, long value,
      String bulkBody) throws IOException {
    boolean bulk = (kind & 3) == 1;
    if (!bulk && bulkBody != null) {
      throw new IllegalArgumentException("a body for a key of kind " + kind);
    }
    String body = bulkBody == null ? "" : bulkBody;
    long lines = body.isEmpty() ? 0 : body.chars().filter(c -> c == ',').count() + 1;
    stage(Math.max(stage, PENDING), KEYS);
    room();
    encoder.begin(Kind.KEY, lines);
    encoder.key(time, kind, hi, lo, fingerprint);
    encoder.arg(bulk ? 0 : value);
    for (int from = 0; from < body.length(); ) {
      int comma = body.indexOf(',', from);
      int to = comma < 0 ? body.length() : comma;
      int equals = body.indexOf('=', from);
      if (equals < 0 || equals >= to) {
        throw new IllegalArgumentException("a bulk answer's pair without '=': "
            + body.substring(from, Math.min(to, from + 200)));
      }
      room();
      encoder.body(body.substring(from, equals), Long.parseLong(body, equals + 1, to, 10));
      from = to + 1;
    }
    encoder.end();
  }

  /**
   * Writes the snapshot out, forces it, closes it, moves it over {@code snapshot} atomically
   * (replacing it where the file system cannot move atomically) and forces the directory.
   */
  public void commit() throws IOException {
    if (stage != DONE) {
      throw new IllegalStateException("the snapshot has no live record yet");
    }
    writeOut();
    channel.force(true);
    channel.close();
    Path target = DataDirectory.snapshot(dir);
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
    }
    committed = true;
    DataDirectory.sync(dir);
  }

  /** Unless committed: closes and deletes {@code snapshot.tmp}, quietly. */
  @Override
  public void close() {
    if (committed) {
      return;
    }
    try {
      channel.close();
    } catch (IOException e) {
      // nothing of it is kept anyway
    }
    try {
      Files.deleteIfExists(temp);
    } catch (IOException e) {
      // the next snapshot truncates it
    }
  }

  /** Moves from stage {@code from} (no record open) to {@code to}. */
  private void stage(int from, int to) {
    if (open || stage != from || to < stage) {
      throw new IllegalStateException("a snapshot's records out of order (stage " + stage
          + (open ? ", a record open" : "") + ")");
    }
    stage = to;
  }

  private void room() throws IOException {
    if (encoder.full()) {
      writeOut();
    }
  }

  private void writeOut() throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(encoder.bytes(), 0, encoder.length());
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
    encoder.clear();
  }
}
