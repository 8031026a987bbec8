package org.playcounter.store.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.playcounter.store.keys.Lookup.Found;

class KeyTableTest {
  private static final long WINDOW = 1_000;

  @Test
  void aKeyGoesFromNewThroughInProgressToItsAnswer() {
    KeyTable keys = new KeyTable(WINDOW, 10, Long.MAX_VALUE);
    assertEquals(Found.NEW, begin(keys, 1, 2, 77, 0, 0).found());
    assertEquals(Found.IN_PROGRESS, begin(keys, 1, 2, 77, 1, 0).found());
    assertEquals(Found.MISMATCH, begin(keys, 1, 2, 78, 1, 0).found(), "another request");
    keys.answer(1, 2, Key.PLAY | Key.JSON, 42, null);
    assertEquals(Found.IN_PROGRESS, begin(keys, 1, 2, 77, 2, 0).found(), "answered, not acknowledged");
    keys.finish(1, 2);
    Lookup replay = begin(keys, 1, 2, 77, 3, 0);
    assertEquals(Found.REPLAY, replay.found());
    assertEquals(42, replay.value());
    assertEquals(Key.PLAY | Key.JSON, replay.kind());
    assertEquals(Found.NEW, begin(keys, 1, 3, 77, 3, 0).found(), "another key, same request");
    assertEquals(1, keys.replays());
    assertEquals(3, keys.conflicts());
  }

  @Test
  void anAbandonedKeyIsNewAgainAndATakenBackAnswerIsGone() {
    KeyTable keys = new KeyTable(WINDOW, 10, Long.MAX_VALUE);
    begin(keys, 5, 5, 1, 0, 0);
    keys.abandon(5, 5);
    assertEquals(Found.NEW, begin(keys, 5, 5, 1, 0, 0).found());
    keys.answer(5, 5, Key.BULK, 0, "a=1");
    keys.unanswer(5, 5);
    keys.finish(5, 5); // nothing to finish without an answer
    assertEquals(Found.IN_PROGRESS, begin(keys, 5, 5, 1, 0, 0).found());
    assertEquals(0, keys.copy().size(), "a snapshot keeps only keys with answers");
  }

  @Test
  void keysLeaveAfterTheirWindowOldestFirst() {
    KeyTable keys = new KeyTable(WINDOW, 10, Long.MAX_VALUE);
    done(keys, 1, 0);
    done(keys, 2, 500);
    assertEquals(Found.REPLAY, begin(keys, 1, 1, 1, 999, 0).found());
    assertEquals(Found.NEW, begin(keys, 1, 1, 1, 1000, 0).found(), "its window passed");
    assertEquals(Found.REPLAY, begin(keys, 2, 2, 2, 1499, 0).found());
    assertEquals(0, keys.droppedEarly());
  }

  @Test
  void pastTheLimitTheOldestGoEarlyAndAreCounted() {
    KeyTable keys = new KeyTable(WINDOW, 3, Long.MAX_VALUE);
    for (int k = 1; k <= 5; k++) {
      done(keys, k, k);
    }
    assertEquals(3, keys.size());
    assertEquals(2, keys.droppedEarly());
    assertEquals(Found.NEW, begin(keys, 1, 1, 1, 10, 0).found(), "dropped, so new again");
    assertEquals(Found.REPLAY, begin(keys, 5, 5, 5, 10, 0).found());
  }

  @Test
  void recoveryKeepsWhatIsInTheWindow() {
    KeyTable keys = new KeyTable(WINDOW, 10, Long.MAX_VALUE);
    keys.recover(1, 1, 9, 0, Key.DRAIN, 1234, null, 999);
    keys.recover(2, 2, 9, 0, Key.DRAIN, 1234, null, 1000);
    assertEquals(1234, begin(keys, 1, 1, 9, 999, 0).value());
    assertEquals(Found.NEW, begin(keys, 2, 2, 9, 999, 0).found());
  }

  /** Many keys through growth and the limit, against a map. */
  @Test
  void matchesAMapThroughGrowthAndTheLimit() {
    int max = 5_000;
    KeyTable keys = new KeyTable(Long.MAX_VALUE / 4, max, Long.MAX_VALUE);
    Map<Long, Long> model = new HashMap<>(); // key -> answer, in insertion order via times
    Map<Long, Long> order = new HashMap<>();
    Random random = new Random(7);
    long now = 0;
    for (int i = 0; i < 60_000; i++) {
      long key = random.nextInt(20_000);
      now++;
      Lookup found = begin(keys, key, ~key, key * 3, now, 0);
      if (model.containsKey(key)) {
        assertEquals(Found.REPLAY, found.found(), "key " + key);
        assertEquals(model.get(key), found.value());
      } else {
        assertEquals(Found.NEW, found.found(), "key " + key);
        keys.answer(key, ~key, Key.PLAY, i, null);
        keys.finish(key, ~key);
        model.put(key, (long) i);
        order.put(key, now);
      }
      while (model.size() > max) { // the limit dropped the oldest
        long oldest = order.entrySet().stream().min(Map.Entry.comparingByValue()).get().getKey();
        model.remove(oldest);
        order.remove(oldest);
      }
    }
    assertEquals(max, keys.size());
    assertEquals(max, model.size());
  }

  private static void done(KeyTable keys, long key, long now) {
    assertEquals(Found.NEW, begin(keys, key, key, key, now, 0).found());
    keys.answer(key, key, Key.PLAY, key * 10, null);
    keys.finish(key, key);
  }

  @Test
  void aKeyInProgressIsNeverDroppedAtTheLimit() {
    KeyTable keys = new KeyTable(WINDOW, 2, Long.MAX_VALUE);
    assertEquals(Found.NEW, begin(keys, 1, 1, 7, 0, 0).found()); // in progress, the oldest
    assertEquals(Found.NEW, begin(keys, 2, 2, 7, 0, 0).found());
    assertEquals(Found.FULL, begin(keys, 3, 3, 7, 0, 0).found(), "on 6e7253a: NEW, and key 1"
        + " was forgotten while its request ran");
    assertEquals(Found.IN_PROGRESS, begin(keys, 1, 1, 7, 1, 0).found(), "a retry of key 1");
    keys.answer(1, 1, Key.PLAY, 5, null);
    keys.finish(1, 1);
    assertEquals(Found.NEW, begin(keys, 3, 3, 7, 2, 0).found(), "done keys make room");
    keys.abandon(2, 2);
    assertEquals(Found.NEW, begin(keys, 1, 1, 7, 2, 0).found(), "key 1 dropped early for it");
    assertEquals(1, keys.refused());
  }

  @Test
  void answersAreBoundedInBytesReservedBeforeTheChange() {
    long limit = 1_000;
    KeyTable keys = new KeyTable(WINDOW, 100, limit);
    assertEquals(Found.TOO_LARGE, begin(keys, 9, 9, 1, 0, limit + 1).found());
    assertEquals(Found.NEW, begin(keys, 1, 1, 1, 0, 600).found());
    assertEquals(600, keys.answerBytes(), "reserved while in progress");
    assertEquals(Found.FULL, begin(keys, 2, 2, 1, 0, 600).found(), "the first holds the room");
    String body = "a=1,b=2";
    keys.answer(1, 1, Key.BULK, 0, body);
    assertEquals(KeyTable.bodyBytes(body), keys.answerBytes(), "what the answer takes");
    keys.finish(1, 1);
    assertEquals(Found.NEW, begin(keys, 2, 2, 1, 0, 600).found());
    assertEquals(Found.NEW, begin(keys, 3, 3, 1, 0, 350).found(), "drops key 1, which is done");
    assertEquals(Found.NEW, begin(keys, 1, 1, 1, 0, 0).found(), "key 1 is forgotten");
    keys.abandon(2, 2);
    keys.abandon(3, 3);
    keys.abandon(1, 1);
    assertEquals(0, keys.answerBytes(), "every reservation given back");
    assertEquals(2, keys.refused());
  }

  /**
   * R2: makeRoom drops done keys from the head and only then finds a key in progress: the new
   * key is refused (FULL) and the dropped answers are gone for nothing; a retry of them counts
   * twice. durability.md says of this row: "what is lost: nothing".
   */
  @Test
  void aRefusedKeyDropsNoRememberedAnswer() {
    KeyTable keys = new KeyTable(600_000, 100, 1000);
    begin(keys, 1, 1, 11, 0, 0); // a keyed play, done
    keys.answer(1, 1, Key.PLAY, 7, null);
    keys.finish(1, 1);
    assertEquals(Found.NEW, begin(keys, 2, 2, 22, 1, 600).found(), "a bulk add in progress");
    assertEquals(Found.FULL, begin(keys, 3, 3, 33, 2, 600).found(), "no room while it runs");
    assertEquals(Found.REPLAY, begin(keys, 1, 1, 11, 3, 0).found(),
        "the done play's answer is forgotten: its retry would count a second play");
    assertEquals(0, keys.droppedEarly(), "keys dropped by a refused begin");
  }

  /**
   * R3: abandoned keys leave FREE slots that still count in size, so with a key in progress at
   * the head the ring is FULL while it remembers one key of maxKeys.
   */
  @Test
  void forgottenKeysDoNotFillTheRing() {
    KeyTable keys = new KeyTable(600_000, 4, Long.MAX_VALUE);
    assertEquals(Found.NEW, begin(keys, 1, 1, 1, 0, 0).found()); // in progress, slow
    for (int k = 2; k <= 4; k++) {
      assertEquals(Found.NEW, begin(keys, k, k, k, 0, 0).found());
      keys.abandon(k, k); // refused before the store (404, 413, song limit, ...)
    }
    assertEquals(1, keys.size(), "keys remembered");
    assertEquals(Found.NEW, begin(keys, 9, 9, 9, 1, 0).found(),
        "1 key of 4 remembered, and a new one is refused");
  }

  private static Lookup begin(KeyTable keys, long hi, long lo, long fingerprint, long now,
      long answerBound) {
    return keys.begin(new Key(hi, lo, fingerprint, now, 0, answerBound));
  }
}
