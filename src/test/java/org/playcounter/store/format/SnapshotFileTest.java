package org.playcounter.store.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SnapshotWriter and SnapshotReader together: what is written is read back, damage refused. */
final class SnapshotFileTest {
  private static final int GROUPS = 64;

  @TempDir Path dir;

  private static int group(byte[] b, int from, int length) {
    int h = 0;
    for (int i = from; i < from + length; i++) {
      h = 31 * h + b[i];
    }
    return Math.floorMod(h, GROUPS);
  }

  /** Songs s0.. in order of their group, as the store writes them. */
  private static List<String> grouped(int songs) {
    List<List<String>> byGroup = new ArrayList<>();
    for (int g = 0; g < GROUPS; g++) {
      byGroup.add(new ArrayList<>());
    }
    for (int i = 0; i < songs; i++) {
      byte[] id = ("s" + i).getBytes();
      byGroup.get(group(id, 0, id.length)).add("s" + i);
    }
    List<String> all = new ArrayList<>();
    byGroup.forEach(all::addAll);
    return all;
  }

  private void write(List<String> live, String bulk) throws IOException {
    try (SnapshotWriter w = SnapshotWriter.create(dir, ChannelOpener.FILES)) {
      w.header(41, 9);
      w.beginPending(3, 2);
      w.line("end", 5);
      w.line("live", 1);
      w.endRecord();
      w.beginPending(7, 0);
      w.endRecord();
      w.key(100, 0, 1, 2, 3, 17, null);
      w.key(101, 1, 4, 5, 6, 0, "");
      w.key(102, 5, 7, 8, 9, 0, bulk);
      w.key(103, 2, 10, 11, 12, 7, null);
      w.beginLive(live.size());
      for (int i = 0; i < live.size(); i++) {
        w.line(live.get(i), i + 1L);
      }
      w.endRecord();
      w.commit();
    }
  }

  @Test
  void whatIsWrittenIsReadBackRecordByRecord() throws IOException {
    write(List.of("begin", "key", "snapshot"), "a=1,end=2,b=" + Long.MAX_VALUE);
    Events events = new Events();
    assertEquals(41, SnapshotReader.read(dir, events, SnapshotFileTest::group));
    List<String> seen = events.seen.stream().map(s -> s.replaceFirst(" @[0-9]+", "")).toList();
    assertEquals(List.of("begin SNAPSHOT lines=0 a=41 b=9", "end SNAPSHOT",
        "begin PENDING lines=2 a=3 b=0", "line end 5 0", "line live 1 0", "end PENDING",
        "begin PENDING lines=0 a=7 b=0", "end PENDING"), seen.subList(0, 8));
    assertEquals(List.of("begin KEY lines=0 a=17 b=0 key 100 0 1 2 3", "end KEY",
        "begin KEY lines=0 a=0 b=0 key 101 1 4 5 6", "end KEY"),
        seen.subList(8, 12));
    assertEquals(List.of("line a 1 0", "line end 2 0", "line b " + Long.MAX_VALUE + " 0",
        "end KEY"), seen.subList(13, 17));
    assertTrue(seen.get(19).startsWith("begin LIVE lines=3"), seen.get(19));
    assertEquals(List.of("line begin 1 0", "line key 2 0", "line snapshot 3 0", "end LIVE"),
        seen.subList(20, 24));
    assertFalse(Files.exists(dir.resolve(DataDirectory.SNAPSHOT_TEMP)));
  }

  @Test
  void aBulkAnswerOverAMebibyteAndThreeHundredThousandSongsReadOnTwoThreads()
      throws IOException {
    StringBuilder bulk = new StringBuilder();
    for (int i = 0; bulk.length() < (1 << 20) + 10; i++) {
      bulk.append(i == 0 ? "" : ",").append("bulk-song-").append(i).append('=').append(i + 1);
    }
    List<String> live = grouped(300_000);
    write(live, bulk.toString());
    Set<Integer> groupsSeen = ConcurrentHashMap.newKeySet();
    Set<String> threads = ConcurrentHashMap.newKeySet();
    ConcurrentHashMap<Integer, String> threadOfGroup = new ConcurrentHashMap<>();
    long[] liveLines = {0};
    Events events = new Events((b, idFrom, idLength) -> {
      if (b[idFrom] == 's') {
        int g = group(b, idFrom, idLength);
        String thread = Thread.currentThread().getName();
        String first = threadOfGroup.putIfAbsent(g, thread);
        assertTrue(first == null || first.equals(thread), "group " + g + " on two threads");
        groupsSeen.add(g);
        threads.add(thread);
        synchronized (liveLines) {
          liveLines[0]++;
        }
      }
    });
    assertEquals(41, SnapshotReader.read(dir, events, SnapshotFileTest::group));
    assertEquals(300_000, liveLines[0]);
    assertEquals(2, threads.size(), "threads " + threads);
    assertEquals(GROUPS, groupsSeen.size());
    long bulkLines = events.seen.stream().filter(s -> s.startsWith("line bulk-song-")).count();
    assertEquals(bulk.chars().filter(c -> c == ',').count() + 1, bulkLines);
    assertEquals("end LIVE", events.seen.get(events.seen.size() - 1));
  }

  @Test
  void songsNotInGroupOrderAreReadOnOneThread() throws IOException {
    List<String> live = new ArrayList<>();
    for (int i = 0; i < 200_000; i++) {
      live.add("s" + i);
    }
    write(live, "");
    Set<String> threads = ConcurrentHashMap.newKeySet();
    Events events = new Events((b, idFrom, idLength) ->
        threads.add(Thread.currentThread().getName()));
    SnapshotReader.read(dir, events, SnapshotFileTest::group);
    assertEquals(1, threads.size(), "threads " + threads);
  }

  @Test
  void noSnapshotCoversGenerationZero() throws IOException {
    assertEquals(0, SnapshotReader.read(dir, new Events(), SnapshotFileTest::group));
  }

  @Test
  void everyCutOfASnapshotIsRefused() throws IOException {
    write(List.of("a", "b"), "x=1");
    byte[] whole = Files.readAllBytes(DataDirectory.snapshot(dir));
    for (int cut = 0; cut < whole.length; cut++) {
      Files.write(DataDirectory.snapshot(dir), java.util.Arrays.copyOf(whole, cut));
      int at = cut;
      IOException damage = assertThrows(IOException.class,
          () -> SnapshotReader.read(dir, new Events(), SnapshotFileTest::group), "cut " + at);
      assertTrue(damage.getMessage().contains("damaged"), damage.getMessage());
    }
  }

  @Test
  void aFlippedByteIsRefused() throws IOException {
    write(List.of("a", "b"), "x=1");
    byte[] whole = Files.readAllBytes(DataDirectory.snapshot(dir));
    for (int at = 0; at < whole.length; at++) {
      byte[] b = whole.clone();
      b[at] ^= 0x04;
      Files.write(DataDirectory.snapshot(dir), b);
      assertThrows(IOException.class,
          () -> SnapshotReader.read(dir, new Events(), SnapshotFileTest::group), "byte " + at);
    }
  }

  @Test
  void aSnapshotWithoutItsLiveRecordOrWithAJournalRecordIsRefused() throws IOException {
    RecordEncoder e = new RecordEncoder(64 << 10);
    e.version(FileKind.SNAPSHOT);
    e.begin(Kind.SNAPSHOT, 0);
    e.arg(1);
    e.arg(1);
    e.end();
    Files.write(DataDirectory.snapshot(dir), java.util.Arrays.copyOf(e.bytes(), e.length()));
    IOException missing = assertThrows(IOException.class,
        () -> SnapshotReader.read(dir, new Events(), SnapshotFileTest::group));
    assertTrue(missing.getMessage().contains("without its live record"), missing.getMessage());
    e.begin(Kind.ACK, 0);
    e.arg(1);
    e.end();
    Files.write(DataDirectory.snapshot(dir), java.util.Arrays.copyOf(e.bytes(), e.length()));
    assertThrows(IOException.class,
        () -> SnapshotReader.read(dir, new Events(), SnapshotFileTest::group));
  }

  @Test
  void anOldSnapshotIsRefusedNamingItsVersion() throws IOException {
    Files.writeString(DataDirectory.snapshot(dir),
        "playcounter-snapshot 2 covers-journal 4 next-drain 1\nkeys 0\nlive 0\nend 0 0\n");
    IOException old = assertThrows(IOException.class,
        () -> SnapshotReader.read(dir, new Events(), SnapshotFileTest::group));
    assertTrue(old.getMessage().contains("format version 2;"), old.getMessage());
  }

  @Test
  void recordsOutOfOrderAreRefusedByTheWriter() throws IOException {
    try (SnapshotWriter w = SnapshotWriter.create(dir, ChannelOpener.FILES)) {
      assertThrows(IllegalStateException.class, () -> w.beginLive(0));
      w.header(1, 1);
      w.key(1, 0, 1, 2, 3, 4, null);
      assertThrows(IllegalStateException.class, () -> w.beginPending(1, 0));
      w.beginLive(1);
      assertThrows(IllegalStateException.class, w::endRecord);
      assertThrows(IllegalStateException.class, w::commit);
    }
    assertFalse(Files.exists(dir.resolve(DataDirectory.SNAPSHOT_TEMP)));
    assertFalse(Files.exists(DataDirectory.snapshot(dir)));
  }
}
