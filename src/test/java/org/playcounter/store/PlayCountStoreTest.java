package org.playcounter.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;




class PlayCountStoreTest {
  private final PlayCountStore store = new PlayCountStore(1_000_000);

  @Test
  void unplayedSongCountsZeroAndIsNotHeld() {
    assertEquals(0, store.get("1"));
    assertEquals(0, store.stats().songs());
    assertEquals(Map.of(), contents(store));
  }

  @Test
  void incrementReturnsTheCountAfterIt() {
    assertEquals(1, store.increment("1"));
    assertEquals(2, store.increment("1"));
    assertEquals(1, store.increment("5"));
    assertEquals(2, store.get("1"));
    assertEquals(Map.of("1", 2L, "5", 1L), contents(store));
  }

  @Test
  void removeAnswersTheCountItHad() {
    store.increment("1");
    store.increment("1");
    assertEquals(2, store.remove("1"));
    assertEquals(0, store.remove("1"));
    assertEquals(0, store.stats().songs());
  }

  @Test
  void addAppliesEveryPairAndAnswersNewCountsInOrder() {
    store.increment("b");
    Map<String, Long> plays = new LinkedHashMap<>();
    plays.put("b", 4L);
    plays.put("a", 2L);
    assertEquals("{b=5, a=2}", store.add(plays).toString());
    assertEquals(2, store.stats().songs());
  }

  @Test
  void overflowIsRefusedAndChangesNothing() {
    store.add(Map.of("big", Long.MAX_VALUE - 1));
    assertEquals(Long.MAX_VALUE, store.increment("big"));
    assertThrows(CountOverflowException.class, () -> store.increment("big"));
    Map<String, Long> plays = new LinkedHashMap<>();
    plays.put("small", 1L);
    plays.put("big", 1L);
    assertThrows(CountOverflowException.class, () -> store.add(plays));
    assertEquals(Map.of("big", Long.MAX_VALUE), contents(store));
  }

  @Test
  void newSongBeyondTheLimitIsRefusedWhileHeldSongsKeepCounting() {
    PlayCountStore small = new PlayCountStore(2);
    small.increment("a");
    small.increment("b");
    assertThrows(SongLimitException.class, () -> small.increment("c"));
    assertEquals(2, small.increment("a"));
    assertThrows(SongLimitException.class, () -> small.add(Map.of("a", 1L, "c", 1L)));
    assertEquals(Map.of("a", 2L, "b", 1L), contents(small));
    small.remove("b");
    assertEquals(1, small.increment("c"));
  }

  @Test
  void drainTakesEverythingOnce() {
    store.add(Map.of("1", 3L, "5", 2L));
    Drained drained = store.drain();
    assertEquals(Map.of("1", 3L, "5", 2L), contents(drained));
    assertEquals(0, store.stats().songs());
    assertEquals(Map.of(), contents(store.drain()));
  }

  @Test
  void restorePutsAnUndeliveredDrainBack() {
    store.add(Map.of("1", 3L, "5", 2L));
    Drained drained = store.drain();
    store.increment("1");
    store.restore(drained);
    assertEquals(Map.of("1", 4L, "5", 2L), contents(store));
    assertEquals(2, store.stats().songs());
  }

  @Test
  void drainedSongsStayDistinctPastManyGrowths() {
    PlayCountStore big = new PlayCountStore(1_000_000);
    for (int i = 0; i < 100_000; i++) {
      big.increment("s" + i);
    }
    Drained drained = big.drain();
    assertEquals(100_000, drained.size());
    assertEquals(100_000, contents(drained).size());
  }

  @Test
  void concurrentIncrementsEachSeeTheirOwnCount() throws Exception {
    int threads = 8;
    int perThread = 20_000;
    Set<Long> seen = ConcurrentHashMap.newKeySet();
    Concurrently.run(threads, thread -> {
      for (int i = 0; i < perThread; i++) {
        assertTrue(seen.add(store.increment("hot")));
      }
    });
    assertEquals(threads * perThread, store.get("hot"));
    assertEquals(threads * perThread, seen.size());
  }

  @Test
  void drainLosesNoConcurrentIncrement() throws Exception {
    int writers = 6;
    int perWriter = 50_000;
    int songs = 64;
    AtomicLongArray acknowledged = new AtomicLongArray(songs);
    Map<String, Long> drainedTotal = new HashMap<>();
    AtomicBoolean writing = new AtomicBoolean(true);
    ExecutorService drainer = Executors.newSingleThreadExecutor();
    Future<?> draining = drainer.submit(() -> {
      while (writing.get()) {
        contents(store.drain()).forEach((id, n) -> drainedTotal.merge(id, n, Long::sum));
      }
    });
    try {
      Concurrently.run(writers, thread -> {
        for (int i = 0; i < perWriter; i++) {
          int song = (i * 31 + thread) % songs;
          store.increment("s" + song);
          acknowledged.incrementAndGet(song);
        }
      });
    } finally {
      writing.set(false);
      draining.get(1, TimeUnit.MINUTES);
      drainer.shutdown();
    }
    Map<String, Long> remaining = contents(store);
    long total = 0;
    for (int song = 0; song < songs; song++) {
      String id = "s" + song;
      assertEquals(acknowledged.get(song),
          drainedTotal.getOrDefault(id, 0L) + remaining.getOrDefault(id, 0L), id);
      total += acknowledged.get(song);
    }
    assertEquals((long) writers * perWriter, total);
  }

  @Test
  void concurrentCreatesNeverPassTheSongLimit() throws Exception {
    PlayCountStore limited = new PlayCountStore(1_000);
    Set<String> admitted = ConcurrentHashMap.newKeySet();
    Concurrently.run(8, thread -> {
      for (int i = 0; i < 500; i++) {
        String id = thread + "-" + i;
        try {
          limited.increment(id);
          admitted.add(id);
        } catch (SongLimitException e) {
          // expected once full
        }
      }
    });
    assertEquals(1_000, admitted.size());
    assertEquals(1_000, limited.stats().songs());
    assertEquals(1_000, contents(limited).size());
  }

  private static Map<String, Long> contents(PlayCountStore store) {
    Map<String, Long> counts = new HashMap<>();
    store.snapshot((id, count) -> assertEquals(null, counts.put(id, count)));
    return counts;
  }

  private static Map<String, Long> contents(Drained drained) {
    Map<String, Long> counts = new HashMap<>();
    drained.forEach((id, count) -> assertEquals(null, counts.put(id, count), "twice: " + id));
    return counts;
  }
}
