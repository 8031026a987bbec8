package org.playcounter.store.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Random;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;
import org.playcounter.store.Concurrently;

class SongTableTest {
  private static final int SONGS = 500;

  @Test
  void writersBulkAddsDeletesAndDrainsAccountForEveryAcknowledgedPlay() throws Exception {
    SongTable table = new SongTable(1_000_000);
    AtomicLongArray acknowledged = new AtomicLongArray(SONGS);
    AtomicLongArray takenOut = new AtomicLongArray(SONGS);
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicLong drains = new AtomicLong();
    int writers = 16;
    Concurrently.run(writers + 2, thread -> {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      if (thread == writers) { // one thread drains in a loop while the writers run
        while (writing.get()) {
          table.removals().drain(Recorder.NONE).forEach((id, count) -> takenOut.addAndGet(song(id), count));
          drains.incrementAndGet();
        }
        return;
      }
      if (thread == writers + 1) { // one deletes single songs
        while (writing.get()) {
          int song = random.nextInt(SONGS);
          takenOut.addAndGet(song, table.removals().remove("s" + song, Recorder.NONE));
        }
        return;
      }
      for (int i = 0; i < 20_000; i++) {
        if (i % 10 == 0) { // bulk adds over overlapping songs
          Map<String, Long> plays = new LinkedHashMap<>();
          for (int k = 0; k < 20; k++) {
            plays.put("s" + random.nextInt(SONGS), 1L + random.nextInt(3));
          }
          table.addAll(plays, Recorder.NONE);
          plays.forEach((id, delta) -> acknowledged.addAndGet(song(id), delta));
        } else {
          int song = random.nextInt(SONGS);
          table.add("s" + song, 1, Recorder.NONE);
          acknowledged.incrementAndGet(song);
        }
      }
      if (thread == 0) {
        writing.set(false);
      }
    });
    writing.set(false);
    table.removals().drain(Recorder.NONE).forEach((id, count) -> takenOut.addAndGet(song(id), count));
    for (int song = 0; song < SONGS; song++) {
      assertEquals(acknowledged.get(song), takenOut.get(song), "song s" + song);
    }
    assertEquals(0, table.songs());
    assertTrue(drains.get() > 1, "drains: " + drains.get());
  }

  @Test
  void concurrentPlaysOfOneSongEachSeeTheirOwnCount() throws Exception {
    SongTable table = new SongTable(10);
    boolean[] seen = new boolean[8 * 50_000 + 1];
    Concurrently.run(8, thread -> {
      for (int i = 0; i < 50_000; i++) {
        long count = table.add("hot", 1, Recorder.NONE);
        synchronized (seen) {
          assertTrue(!seen[(int) count], "repeated " + count);
          seen[(int) count] = true;
        }
      }
    });
    assertEquals(8 * 50_000, table.get("hot"));
  }

  @Test
  void refusedBulkAddChangesNothingAndNoPlayIsAnsweredTwice() throws Exception {
    SongTable table = new SongTable(1_000);
    table.add("big", Long.MAX_VALUE - 10, Recorder.NONE);
    table.add("a", 1, Recorder.NONE);
    assertThrows(TableRefusal.class,
        () -> table.addAll(Map.of("a", 5L, "big", 11L), Recorder.NONE));
    assertEquals(1, table.get("a"));
    assertEquals(Long.MAX_VALUE - 10, table.get("big"));
    // Racing plays of "a" against refused bulk adds that include "a": every answer is distinct.
    boolean[] seen = new boolean[100_000];
    Concurrently.run(4, thread -> {
      for (int i = 0; i < 10_000; i++) {
        if (thread % 2 == 0) {
          assertThrows(TableRefusal.class,
              () -> table.addAll(Map.of("a", 3L, "big", 11L), Recorder.NONE));
        } else {
          long count = table.add("a", 1, Recorder.NONE);
          synchronized (seen) {
            assertTrue(!seen[(int) count], "answered twice: " + count);
            seen[(int) count] = true;
          }
        }
      }
    });
    assertEquals(1 + 2 * 10_000, table.get("a"));
  }

  @Test
  void bulkAddAtTheLimitIsRefusedWholeWhileHeldSongsKeepCounting() {
    SongTable table = new SongTable(3);
    table.addAll(Map.of("a", 1L, "b", 1L), Recorder.NONE);
    assertThrows(TableRefusal.class,
        () -> table.addAll(Map.of("a", 1L, "c", 1L, "d", 1L), Recorder.NONE));
    assertEquals(Map.of("a", 1L, "b", 1L), contents(table));
    assertEquals(Map.of("a", 2L, "c", 1L),
        table.addAll(Map.of("a", 1L, "c", 1L), Recorder.NONE));
    assertThrows(TableRefusal.class, () -> table.add("d", 1, Recorder.NONE));
    assertEquals(3, table.add("a", 1, Recorder.NONE));
    assertEquals(3, table.songs());
  }

  @Test
  void drainTakesExactlyWhatWasThereAndLeavesNothing() {
    SongTable table = new SongTable(1_000_000);
    Map<String, Long> expected = new HashMap<>();
    for (int i = 0; i < 100_000; i++) {
      expected.put("s" + i, table.add("s" + i, 1 + i % 7, Recorder.NONE));
    }
    SongCounts drained = table.removals().drain(Recorder.NONE);
    assertEquals(100_000, drained.size());
    Map<String, Long> got = new HashMap<>();
    drained.forEach((id, count) -> assertEquals(null, got.put(id, count), id));
    assertEquals(expected, got);
    assertEquals(0, table.songs());
    assertEquals(Map.of(), contents(table));
  }

  @Test
  void replayPassesThroughZeroAndDropsWhatEndsWithoutPlays() {
    SongTable table = new SongTable(10);
    replay(table, "a", -3); // a removal journaled before the plays it took
    replay(table, "a", 5);
    replay(table, "b", 2);
    replay(table, "b", -2);
    table.replay().finish();
    assertEquals(Map.of("a", 2L), contents(table));
    assertEquals(1, table.songs());
  }

  private static int song(String id) {
    return Integer.parseInt(id.substring(1));
  }

  private static Map<String, Long> contents(SongTable table) {
    Map<String, Long> counts = new HashMap<>();
    table.snapshot((id, count) -> counts.put(id, count));
    return counts;
  }

  @Test
  void aCutKeepsItsCountsWhateverChangesComeAfter() {
    Random random = new Random(1);
    for (int round = 0; round < 2_000; round++) {
      SongTable table = new SongTable(1_000_000);
      Map<String, Long> model = new HashMap<>();
      for (int i = 0; i < 50; i++) {
        String id = "s" + random.nextInt(30);
        table.add(id, 1, Recorder.NONE);
        model.merge(id, 1L, Long::sum);
      }
      int epoch = table.snapshotCut().cut();
      Map<String, Long> atCut = new HashMap<>(model);
      SongCounts drained = null;
      for (int i = 0; i < 30; i++) {
        String id = "s" + random.nextInt(30);
        switch (random.nextInt(6)) {
          case 0 -> {
            drained = table.removals().drain(Recorder.NONE);
            model.clear();
          }
          case 1 -> {
            table.removals().remove(id, Recorder.NONE);
            model.remove(id);
          }
          case 2 -> {
            table.addAll(Map.of(id, 2L), Recorder.NONE);
            model.merge(id, 2L, Long::sum);
          }
          case 3 -> {
            if (drained != null) {
              table.removals().putBack(drained, Recorder.NONE);
              drained.forEach((song, count) -> model.merge(song, count, Long::sum));
              drained = null;
            }
          }
          case 4 -> {
            if (model.containsKey(id)) {
              table.removals().takeBack(id, 1);
              model.merge(id, -1L, Long::sum);
              model.remove(id, 0L);
            }
          }
          default -> {
            table.add(id, 1, Recorder.NONE);
            model.merge(id, 1L, Long::sum);
          }
        }
      }
      Map<String, Long> seen = new HashMap<>();
      table.snapshotCut().forEachAt(epoch, seen::put);
      table.snapshotCut().end(epoch);
      assertEquals(atCut, seen, "round " + round);
      Map<String, Long> live = new HashMap<>();
      table.snapshot(live::put);
      assertEquals(model, live, "round " + round);
      assertEquals(model.size(), table.songs());
    }
  }

  @Test
  void aPutBackCountsPendingPlaysAgainstTheTop() {
    SongTable table = new SongTable(100);
    table.add("s", Long.MAX_VALUE - 10, Recorder.NONE);
    table.drains().create(8, Recorder.NONE); // s is pending now, with all but 10 of the range
    table.add("s", 5, Recorder.NONE);
    SongCounts drained = table.removals().drain(Recorder.NONE); // the live 5
    table.add("s", 3, Recorder.NONE);
    table.removals().putBack(drained, Recorder.NONE);
    table.removals().putBack(drained, Recorder.NONE); // twice: more than fits
    assertEquals(Long.MAX_VALUE, table.get("s"), "saturated, never negative (on 6e7253a)");
  }

  private static void replay(SongTable table, String id, long delta) {
    byte[] b = id.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    table.replay().live(b, 0, b.length, delta);
  }
}
