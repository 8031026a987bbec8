package org.playcounter.store.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CountTableTest {
  @Test
  void randomAddsAndRemovesMatchAHashMapThroughResizesAndArenaCompactions() {
    Random random = new Random(42);
    CountTable table = new CountTable();
    Map<String, Long> model = new HashMap<>();
    for (int step = 0; step < 400_000; step++) {
      // Few enough ids that removals keep meeting probe runs, ids of every length 1..128.
      String id = Integer.toString(random.nextInt(20_000), 36)
          + "x".repeat(random.nextInt(8) == 0 ? random.nextInt(120) : 0);
      int hash = SongHash.of(id);
      if (random.nextInt(3) == 0) {
        assertEquals(model.getOrDefault(id, 0L), table.remove(id, hash), id);
        model.remove(id);
      } else {
        long delta = 1 + random.nextInt(5);
        long expected = model.merge(id, delta, Long::sum);
        assertEquals(expected, table.add(id, hash, delta), id);
      }
      if (step % 50_000 == 0) {
        assertEquals(model, contents(table));
      }
    }
    assertEquals(model.size(), table.size());
    assertEquals(model, contents(table));
    for (String id : model.keySet()) {
      assertEquals(model.get(id), table.get(id, SongHash.of(id)), id);
    }
  }

  @Test
  void aLongIdFitsWhateverGarbageTheRemovalsLeft() {
    String longest = "L".repeat(128);
    for (int songs = 1; songs <= 300; songs++) {
      for (int removed = 0; removed <= songs; removed += 1 + removed / 8) {
        CountTable table = new CountTable();
        for (int i = 0; i < songs; i++) {
          table.add("s" + i, SongHash.of("s" + i), 1);
        }
        for (int i = 0; i < removed; i++) {
          table.remove("s" + i, SongHash.of("s" + i));
        }
        assertEquals(7, table.add(longest, SongHash.of(longest), 7), songs + "/" + removed);
        assertEquals(songs - removed + 1, table.size());
      }
    }
  }

  @Test
  void removingNonPositiveCountsKeepsEveryOtherSong() {
    CountTable table = new CountTable();
    Map<String, Long> model = new HashMap<>();
    for (int i = 0; i < 10_000; i++) {
      String id = "s" + i;
      long count = i % 3 == 0 ? 0 : i % 3 == 1 ? -i : i;
      table.add(id, SongHash.of(id), count);
      if (count > 0) {
        model.put(id, count);
      }
    }
    table.removeNonPositive();
    assertEquals(model.size(), table.size());
    assertEquals(model, contents(table));
  }

  @Test
  void aCopySharesNothing() {
    CountTable table = new CountTable();
    table.add("a", SongHash.of("a"), 1);
    CountTable copy = table.copy();
    table.add("a", SongHash.of("a"), 1);
    table.add("b", SongHash.of("b"), 1);
    assertEquals(Map.of("a", 1L), contents(copy));
    assertEquals(0, copy.get("b", SongHash.of("b")));
    assertEquals(1, table.get("b", SongHash.of("b")));
  }

  @Test
  void aMillionShortIdsCostUnderFortyBytesEach() {
    CountTable[] stripes = new CountTable[SongTable.STRIPES];
    for (int i = 0; i < stripes.length; i++) {
      stripes[i] = new CountTable();
    }
    for (int i = 0; i < 1_000_000; i++) {
      String id = "s" + i;
      int hash = SongHash.of(id);
      stripes[hash >>> 24].add(id, hash, 1 + i % 7);
    }
    long bytes = 0;
    for (CountTable stripe : stripes) {
      bytes += stripe.bytes();
    }
    // The arrays alone; the memory benchmark measures the whole heap.
    assertTrue(bytes < 40L * 1_000_000, bytes + " bytes");
  }

  private static Map<String, Long> contents(CountTable table) {
    Map<String, Long> counts = new HashMap<>();
    table.forEach((id, count) -> assertEquals(null, counts.put(id, count), id));
    return counts;
  }

  @Test
  void replayFromBytesFindsTheSongsAddedAsStringsAndGrowsAlike() {
    CountTable table = CountTable.sized(10);
    Map<String, Long> model = new HashMap<>();
    Random random = new Random(7);
    for (int i = 0; i < 100_000; i++) {
      String id = "song-" + random.nextInt(20_000);
      long delta = 1 + random.nextInt(5);
      model.merge(id, delta, Long::sum);
      if (random.nextBoolean()) {
        table.add(id, SongHash.of(id), delta);
      } else {
        byte[] line = ("+" + id + " 1").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertEquals(SongHash.of(id), SongHash.of(line, 1, id.length()));
        assertEquals((long) model.get(id), table.replay(line, 1, id.length(),
            SongHash.of(id), delta));
      }
    }
    Map<String, Long> held = new HashMap<>();
    table.forEach(held::put);
    assertEquals(model, held);
    byte[] max = "x".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    table.replay(max, 0, 1, SongHash.of("x"), Long.MAX_VALUE);
    assertThrows(ArithmeticException.class,
        () -> table.replay(max, 0, 1, SongHash.of("x"), 1));
  }
}
