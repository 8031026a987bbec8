package org.playcounter.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.playcounter.store.IdempotencyKeys.Found;

class IdempotencyKeysTest {
  private static final long WINDOW = 1_000;

  @Test
  void aKeyGoesFromNewThroughInProgressToItsAnswer() {
    IdempotencyKeys keys = new IdempotencyKeys(new KeyLimits(WINDOW, 10, Long.MAX_VALUE));
    assertEquals(Found.NEW, keys.begin(1, 2, 77, 0, 0).found());
    assertEquals(Found.IN_PROGRESS, keys.begin(1, 2, 77, 1, 0).found());
    assertEquals(Found.MISMATCH, keys.begin(1, 2, 78, 1, 0).found(), "another request");
    keys.answer(1, 2, KeyedRequest.PLAY | KeyedRequest.JSON, 42, null);
    assertEquals(Found.IN_PROGRESS, keys.begin(1, 2, 77, 2, 0).found(), "answered, not acknowledged");
    keys.finish(1, 2);
    IdempotencyKeys.Lookup replay = keys.begin(1, 2, 77, 3, 0);
    assertEquals(Found.REPLAY, replay.found());
    assertEquals(42, replay.value());
    assertEquals(KeyedRequest.PLAY | KeyedRequest.JSON, replay.kind());
    assertEquals(Found.NEW, keys.begin(1, 3, 77, 3, 0).found(), "another key, same request");
    assertEquals(1, keys.replays());
    assertEquals(3, keys.conflicts());
  }

  @Test
  void anAbandonedKeyIsNewAgainAndATakenBackAnswerIsGone() {
    IdempotencyKeys keys = new IdempotencyKeys(new KeyLimits(WINDOW, 10, Long.MAX_VALUE));
    keys.begin(5, 5, 1, 0, 0);
    keys.abandon(5, 5);
    assertEquals(Found.NEW, keys.begin(5, 5, 1, 0, 0).found());
    keys.answer(5, 5, KeyedRequest.BULK, 0, "a=1");
    keys.unanswer(5, 5);
    keys.finish(5, 5); // nothing to finish without an answer
    assertEquals(Found.IN_PROGRESS, keys.begin(5, 5, 1, 0, 0).found());
    assertEquals(0, keys.copy().size(), "a snapshot keeps only keys with answers");
  }

  @Test
  void keysLeaveAfterTheirWindowOldestFirst() {
    IdempotencyKeys keys = new IdempotencyKeys(new KeyLimits(WINDOW, 10, Long.MAX_VALUE));
    done(keys, 1, 0);
    done(keys, 2, 500);
    assertEquals(Found.REPLAY, keys.begin(1, 1, 1, 999, 0).found());
    assertEquals(Found.NEW, keys.begin(1, 1, 1, 1000, 0).found(), "its window passed");
    assertEquals(Found.REPLAY, keys.begin(2, 2, 2, 1499, 0).found());
    assertEquals(0, keys.droppedEarly());
  }

  @Test
  void pastTheLimitTheOldestGoEarlyAndAreCounted() {
    IdempotencyKeys keys = new IdempotencyKeys(new KeyLimits(WINDOW, 3, Long.MAX_VALUE));
    for (int k = 1; k <= 5; k++) {
      done(keys, k, k);
    }
    assertEquals(3, keys.size());
    assertEquals(2, keys.droppedEarly());
    assertEquals(Found.NEW, keys.begin(1, 1, 1, 10, 0).found(), "dropped, so new again");
    assertEquals(Found.REPLAY, keys.begin(5, 5, 5, 10, 0).found());
  }

  @Test
  void recoveryKeepsWhatIsInTheWindow() {
    IdempotencyKeys keys = new IdempotencyKeys(new KeyLimits(WINDOW, 10, Long.MAX_VALUE));
    keys.recover(1, 1, 9, 0, KeyedRequest.DRAIN, 1234, null, 999);
    keys.recover(2, 2, 9, 0, KeyedRequest.DRAIN, 1234, null, 1000);
    assertEquals(1234, keys.begin(1, 1, 9, 999, 0).value());
    assertEquals(Found.NEW, keys.begin(2, 2, 9, 999, 0).found());
  }

  /** Many keys through growth and the limit, against a map. */
  @Test
  void matchesAMapThroughGrowthAndTheLimit() {
    int max = 5_000;
    IdempotencyKeys keys = new IdempotencyKeys(new KeyLimits(Long.MAX_VALUE / 4, max, Long.MAX_VALUE));
    Map<Long, Long> model = new HashMap<>(); // key -> answer, in insertion order via times
    Map<Long, Long> order = new HashMap<>();
    Random random = new Random(7);
    long now = 0;
    for (int i = 0; i < 60_000; i++) {
      long key = random.nextInt(20_000);
      now++;
      IdempotencyKeys.Lookup found = keys.begin(key, ~key, key * 3, now, 0);
      if (model.containsKey(key)) {
        assertEquals(Found.REPLAY, found.found(), "key " + key);
        assertEquals(model.get(key), found.value());
      } else {
        assertEquals(Found.NEW, found.found(), "key " + key);
        keys.answer(key, ~key, KeyedRequest.PLAY, i, null);
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

  private static void done(IdempotencyKeys keys, long key, long now) {
    assertEquals(Found.NEW, keys.begin(key, key, key, now, 0).found());
    keys.answer(key, key, KeyedRequest.PLAY, key * 10, null);
    keys.finish(key, key);
  }

  @Test
  void aKeyInProgressIsNeverDroppedAtTheLimit() {
    IdempotencyKeys keys = new IdempotencyKeys(new KeyLimits(WINDOW, 2, Long.MAX_VALUE));
    assertEquals(Found.NEW, keys.begin(1, 1, 7, 0, 0).found()); // in progress, the oldest
    assertEquals(Found.NEW, keys.begin(2, 2, 7, 0, 0).found());
    assertEquals(Found.FULL, keys.begin(3, 3, 7, 0, 0).found(), "on 6e7253a: NEW, and key 1"
        + " was forgotten while its request ran");
    assertEquals(Found.IN_PROGRESS, keys.begin(1, 1, 7, 1, 0).found(), "a retry of key 1");
    keys.answer(1, 1, KeyedRequest.PLAY, 5, null);
    keys.finish(1, 1);
    assertEquals(Found.NEW, keys.begin(3, 3, 7, 2, 0).found(), "done keys make room");
    keys.abandon(2, 2);
    assertEquals(Found.NEW, keys.begin(1, 1, 7, 2, 0).found(), "key 1 dropped early for it");
    assertEquals(1, keys.refused());
  }

  @Test
  void answersAreBoundedInBytesReservedBeforeTheChange() {
    long limit = 1_000;
    IdempotencyKeys keys = new IdempotencyKeys(new KeyLimits(WINDOW, 100, limit));
    assertEquals(Found.TOO_LARGE, keys.begin(9, 9, 1, 0, limit + 1).found());
    assertEquals(Found.NEW, keys.begin(1, 1, 1, 0, 600).found());
    assertEquals(600, keys.answerBytes(), "reserved while in progress");
    assertEquals(Found.FULL, keys.begin(2, 2, 1, 0, 600).found(), "the first holds the room");
    String body = "a=1,b=2";
    keys.answer(1, 1, KeyedRequest.BULK, 0, body);
    assertEquals(IdempotencyKeys.bodyBytes(body), keys.answerBytes(), "what the answer takes");
    keys.finish(1, 1);
    assertEquals(Found.NEW, keys.begin(2, 2, 1, 0, 600).found());
    assertEquals(Found.NEW, keys.begin(3, 3, 1, 0, 350).found(), "drops key 1, which is done");
    assertEquals(Found.NEW, keys.begin(1, 1, 1, 0, 0).found(), "key 1 is forgotten");
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
    IdempotencyKeys keys = new IdempotencyKeys(new KeyLimits(600_000, 100, 1000));
    keys.begin(1, 1, 11, 0, 0); // a keyed play, done
    keys.answer(1, 1, KeyedRequest.PLAY, 7, null);
    keys.finish(1, 1);
    assertEquals(Found.NEW, keys.begin(2, 2, 22, 1, 600).found(), "a bulk add in progress");
    assertEquals(Found.FULL, keys.begin(3, 3, 33, 2, 600).found(), "no room while it runs");
    assertEquals(Found.REPLAY, keys.begin(1, 1, 11, 3, 0).found(),
        "the done play's answer is forgotten: its retry would count a second play");
    assertEquals(0, keys.droppedEarly(), "keys dropped by a refused begin");
  }

  /**
   * R3: abandoned keys leave FREE slots that still count in size, so with a key in progress at
   * the head the ring is FULL while it remembers one key of maxKeys.
   */
  @Test
  void forgottenKeysDoNotFillTheRing() {
    IdempotencyKeys keys = new IdempotencyKeys(new KeyLimits(600_000, 4, Long.MAX_VALUE));
    assertEquals(Found.NEW, keys.begin(1, 1, 1, 0, 0).found()); // in progress, slow
    for (int k = 2; k <= 4; k++) {
      assertEquals(Found.NEW, keys.begin(k, k, k, 0, 0).found());
      keys.abandon(k, k); // refused before the store (404, 413, song limit, ...)
    }
    assertEquals(1, keys.size(), "keys remembered");
    assertEquals(Found.NEW, keys.begin(9, 9, 9, 1, 0).found(),
        "1 key of 4 remembered, and a new one is refused");
  }
}
