package org.playcounter.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.playcounter.store.KeyLookup.Found;
import org.playcounter.store.format.DataDirectory;

/** The snapshot file: written at a clean stop and at every compaction, read at start-up. */
class SnapshotTest {
  /** Every word and number the journal and snapshot formats use for themselves, as song ids. */
  static final List<String> FORMAT_WORDS = List.of("drain", "key", "keys", "live", "end",
      "begin", "ack", "playcounter-snapshot", "covers-journal", "next-drain", "1", "2", "0",
      "-", ".-", "-1", "~1", "_", "00000000", "deadbeef", "1764633600000", "0123456789abcdef");

  @TempDir
  Path dir;

  private PlayCountStore open() throws IOException {
    return Stores.open(dir, 1_000_000, false, 1000, 1 << 20, line -> { });
  }

  @Test
  void songsNamedLikeTheFormatsOwnWordsSurviveACleanStop() throws IOException {
    PlayCountStore store = open();
    for (String id : FORMAT_WORDS) {
      store.increment(id);
      store.increment(id);
    }
    long first = store.createDrain(8).number();
    for (String id : FORMAT_WORDS) {
      store.add(Map.of(id, 5L));
    }
    KeyedRequest key = TestKeys.bulk("k", Map.of("drain", 1L, "key", 2L), false,
        System.currentTimeMillis());
    assertEquals(Found.NEW, store.begin(key).found());
    store.add(Map.of("drain", 1L, "key", 2L), key);
    Map<String, Long> counts = JournalFaultTest.contents(store);
    Map<Long, Map<String, Long>> pending = JournalFaultTest.pending(store);
    store.close();
    PlayCountStore reopened = open();
    assertEquals(counts, JournalFaultTest.contents(reopened));
    assertEquals(pending, JournalFaultTest.pending(reopened));
    assertEquals(Map.of(first, pending.get(first)), pending);
    KeyLookup replay = reopened.begin(key);
    assertEquals(Found.REPLAY, replay.found());
    assertEquals("drain=8,key=9", sorted(replay.body()));
    reopened.close();
  }

  @Test
  void aSongNamedDrainFirstAmongTheLiveOnesIsReadAsASong() throws IOException {
    PlayCountStore store = open();
    store.increment("drain");
    store.increment("drain");
    store.close();
    // on 6e7253a: "bad drain line in .../snapshot at byte 53"
    assertEquals(Map.of("drain", 2L), JournalFaultTest.contents(open()));
  }

  @Test
  void aKeyedEmptyBulkAddReplaysItsEmptyAnswerAfterARestart() throws IOException {
    PlayCountStore store = open();
    KeyedRequest key = TestKeys.bulk("empty", Map.of(), false, System.currentTimeMillis());
    assertEquals(Found.NEW, store.begin(key).found());
    assertEquals(Map.of(), store.add(Map.of(), key));
    store.increment("x"); // so that the stop writes a snapshot
    store.close();
    PlayCountStore reopened = open();
    KeyLookup replay = reopened.begin(key);
    assertEquals(Found.REPLAY, replay.found());
    assertEquals("", replay.body(), "on 6e7253a: null, and the server answered 500");
    reopened.close();
  }

  @Test
  void aKeyedBulkAnswerOverOneMebibyteIsSnapshotted() throws IOException {
    PlayCountStore store = open();
    Map<String, Long> plays = new LinkedHashMap<>();
    for (int i = 0; i < 40_000; i++) {
      plays.put("song-with-a-long-name-" + i, 9_007_199_254_740_992L);
    }
    KeyedRequest key = TestKeys.bulk("big", plays, false, System.currentTimeMillis());
    assertEquals(Found.NEW, store.begin(key).found());
    store.add(plays, key);
    String answer = store.begin(key).body();
    assertTrue(answer.length() > 1 << 20, "answer of " + answer.length() + " characters");
    store.close(); // on 6e7253a: BufferOverflowException, snapshot.tmp left behind
    assertFalse(Files.exists(dir.resolve(DataDirectory.SNAPSHOT + ".tmp")));
    assertTrue(Files.exists(dir.resolve(DataDirectory.SNAPSHOT)));
    PlayCountStore reopened = open();
    assertEquals(answer, reopened.begin(key).body());
    assertEquals(plays, JournalFaultTest.contents(reopened));
    reopened.close();
  }

  @Test
  void aSnapshotOfAnotherVersionIsRefusedNamingIt() throws IOException {
    Files.writeString(dir.resolve(DataDirectory.SNAPSHOT), "playcounter-snapshot 1 covers-journal 1"
        + " next-drain 1\na 1\nend 1 00000000\n", StandardCharsets.US_ASCII);
    IOException e = assertThrows(IOException.class, this::open);
    assertTrue(e.getMessage().contains("format version 1"), e.getMessage());
    assertTrue(e.getMessage().contains("reads version 3"), e.getMessage());
  }

  @Test
  void aCountedSectionThatDoesNotMatchIsDamage() throws IOException {
    PlayCountStore store = open();
    store.increment("a");
    store.close();
    Path file = dir.resolve(DataDirectory.SNAPSHOT);
    String text = Files.readString(file, StandardCharsets.US_ASCII);
    Files.writeString(file, text.replace("begin live 1 1\n", "begin live 2 1\n"), StandardCharsets.US_ASCII);
    IOException e = assertThrows(IOException.class, this::open);
    assertTrue(e.getMessage().contains("damaged"), e.getMessage());
  }

  private static String sorted(String body) {
    return String.join(",", new java.util.TreeSet<>(List.of(body.split(","))));
  }
}
