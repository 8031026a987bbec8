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
    assertEquals(41, SnapshotReader.read(dir, events));
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
  void manySongsAreWrittenAsLiveRecordsNamingTheirTotalAndReadBackThroughASmallWindow()
      throws IOException {
    StringBuilder bulk = new StringBuilder();
    for (int i = 0; bulk.length() < (1 << 20) + 10; i++) {
      bulk.append(i == 0 ? "" : ",").append("bulk-song-").append(i).append('=').append(i + 1);
    }
    List<String> live = grouped(300_000);
    write(live, bulk.toString());
    String text = Files.readString(DataDirectory.snapshot(dir));
    assertEquals(5, text.split("\nbegin live ", -1).length - 1); // 300,000 in 65,536s
    assertTrue(text.contains("\nbegin live 65536 300000\n"), "a full live record");
    assertTrue(text.contains("\nbegin live " + (300_000 - 4 * 65_536) + " 300000\n"));
    Events events = new Events();
    assertEquals(41, SnapshotReader.read(dir, events, 4096)); // grows for the bulk answer
    List<String> lines = events.seen.stream().filter(e -> e.startsWith("line s")).toList();
    assertEquals(live.size(), lines.size());
    for (int i = 0; i < live.size(); i += 997) {
      assertEquals("line " + live.get(i) + " " + (i + 1) + " 0", lines.get(i));
    }
    assertEquals(5, events.seen.stream().filter(e -> e.startsWith("begin LIVE")
        && e.contains(" a=300000 ")).count());
    long bulkLines = events.seen.stream().filter(e -> e.startsWith("line bulk-song-")).count();
    assertEquals(bulk.chars().filter(c -> c == ',').count() + 1, bulkLines);
    assertEquals("end LIVE", events.seen.get(events.seen.size() - 1));
  }

  @Test
  void anEmptyLiveSectionIsOneRecordWithoutATotal() throws IOException {
    write(List.of(), "");
    assertTrue(Files.readString(DataDirectory.snapshot(dir)).contains("\nbegin live 0\n"));
    Events events = new Events();
    SnapshotReader.read(dir, events);
    assertEquals("end LIVE", events.seen.get(events.seen.size() - 1));
  }

  @Test
  void liveRecordsThatDoNotAddUpToTheirTotalAreRefused() throws IOException {
    assertLiveRefused("ends after 2 of the 3", new long[][] {{2, 3}});
    assertLiveRefused("ends after 3 of the 4", new long[][] {{2, 4}, {1, 4}});
    assertLiveRefused("more than the 3", new long[][] {{2, 3}, {2, 3}});
    assertLiveRefused("after the last one", new long[][] {{2, 3}, {1, 5}});
    assertLiveRefused("after the last one", new long[][] {{2, 2}, {1, 2}});
    assertLiveRefused("after the last one", new long[][] {{2, 0}, {1, 0}}); // one without total
  }

  /** A snapshot of live records of {lines, total (0 for none)} must be refused with message. */
  private void assertLiveRefused(String message, long[][] records) throws IOException {
    RecordEncoder e = new RecordEncoder(64 << 10);
    e.version(FileKind.SNAPSHOT);
    e.begin(Kind.SNAPSHOT, 0);
    e.arg(1);
    e.arg(1);
    e.end();
    int song = 0;
    for (long[] record : records) {
      e.begin(Kind.LIVE, record[0]);
      if (record[1] > 0) {
        e.arg(record[1]);
      }
      for (long i = 0; i < record[0]; i++) {
        e.body("s" + song++, 1);
      }
      e.end();
    }
    Files.write(DataDirectory.snapshot(dir), java.util.Arrays.copyOf(e.bytes(), e.length()));
    IOException damage = assertThrows(IOException.class,
        () -> SnapshotReader.read(dir, new Events()), message);
    assertTrue(damage.getMessage().contains(message), damage.getMessage());
  }

  @Test
  void everyCutIsRefusedThroughAWindowSmallerThanARecord() throws IOException {
    write(grouped(40), "x=1,y=2");
    byte[] whole = Files.readAllBytes(DataDirectory.snapshot(dir));
    for (int cut = 0; cut < whole.length; cut++) {
      Files.write(DataDirectory.snapshot(dir), java.util.Arrays.copyOf(whole, cut));
      int at = cut;
      IOException damage = assertThrows(IOException.class,
          () -> SnapshotReader.read(dir, new Events(), 16), "cut " + at);
      assertTrue(damage.getMessage().contains("damaged"), damage.getMessage());
    }
    Files.write(DataDirectory.snapshot(dir), whole);
    Events events = new Events();
    assertEquals(41, SnapshotReader.read(dir, events, 16));
    assertEquals(40, events.seen.stream().filter(e -> e.startsWith("line s")).count());
  }

  @Test
  void damageIsNamedAtItsOffsetInTheFileThroughASmallWindow() throws IOException {
    write(grouped(2_000), "");
    byte[] whole = Files.readAllBytes(DataDirectory.snapshot(dir));
    int last = new String(whole, java.nio.charset.StandardCharsets.US_ASCII)
        .lastIndexOf("\nbegin live ") + 1;
    whole[last + 30] ^= 0x04;
    Files.write(DataDirectory.snapshot(dir), whole);
    IOException damage = assertThrows(IOException.class,
        () -> SnapshotReader.read(dir, new Events(), 64));
    assertTrue(damage.getMessage().contains("at byte " + last + ";"), damage.getMessage());
  }

  @Test
  void noSnapshotCoversGenerationZero() throws IOException {
    assertEquals(0, SnapshotReader.read(dir, new Events()));
  }

  @Test
  void everyCutOfASnapshotIsRefused() throws IOException {
    write(List.of("a", "b"), "x=1");
    byte[] whole = Files.readAllBytes(DataDirectory.snapshot(dir));
    for (int cut = 0; cut < whole.length; cut++) {
      Files.write(DataDirectory.snapshot(dir), java.util.Arrays.copyOf(whole, cut));
      int at = cut;
      IOException damage = assertThrows(IOException.class,
          () -> SnapshotReader.read(dir, new Events()), "cut " + at);
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
          () -> SnapshotReader.read(dir, new Events()), "byte " + at);
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
        () -> SnapshotReader.read(dir, new Events()));
    assertTrue(missing.getMessage().contains("without its live record"), missing.getMessage());
    e.begin(Kind.ACK, 0);
    e.arg(1);
    e.end();
    Files.write(DataDirectory.snapshot(dir), java.util.Arrays.copyOf(e.bytes(), e.length()));
    assertThrows(IOException.class,
        () -> SnapshotReader.read(dir, new Events()));
  }

  @Test
  void anOldSnapshotIsRefusedNamingItsVersion() throws IOException {
    Files.writeString(DataDirectory.snapshot(dir),
        "playcounter-snapshot 2 covers-journal 4 next-drain 1\nkeys 0\nlive 0\nend 0 0\n");
    IOException old = assertThrows(IOException.class,
        () -> SnapshotReader.read(dir, new Events()));
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
