package org.playcounter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.playcounter.store.KeyLookup.Found;
import org.playcounter.store.KeyLimits;
import org.playcounter.store.KeyedRequest;
import org.playcounter.store.PlayCountStore;
import org.playcounter.store.StoreOptions;

class KeyedRequestsTest {
  private final PlayCountStore store = memory(KeyLimits.DEFAULT);
  private final long now = System.currentTimeMillis();

  @Test
  void sameKeyAndRequestIsAReplayOfItsAnswer() {
    store.increment("a", taken(KeyedRequests.play("k", "a", true, now)));
    var found = store.begin(KeyedRequests.play("k", "a", true, now));
    assertEquals(Found.REPLAY, found.found());
    assertEquals(1, found.value());
    assertEquals(KeyedRequest.PLAY | KeyedRequest.JSON, found.kind());
  }

  @Test
  void sameKeyWithAnotherSongOrBodyIsAMismatch() {
    store.increment("a", taken(KeyedRequests.play("k", "a", false, now)));
    assertEquals(Found.MISMATCH, store.begin(KeyedRequests.play("k", "b", false, now)).found());
    store.add(Map.of("a", 2L), taken(KeyedRequests.bulk("bulk", Map.of("a", 2L), false, now)));
    assertEquals(Found.MISMATCH,
        store.begin(KeyedRequests.bulk("bulk", Map.of("a", 3L), false, now)).found());
    assertEquals(Found.MISMATCH, store.begin(KeyedRequests.drain("bulk", false, now)).found());
  }

  @Test
  void bulkWithPairsInAnotherOrderIsAnotherRequest() {
    Map<String, Long> ab = new LinkedHashMap<>();
    ab.put("a", 1L);
    ab.put("b", 1L);
    Map<String, Long> ba = new LinkedHashMap<>();
    ba.put("b", 1L);
    ba.put("a", 1L);
    store.add(ab, taken(KeyedRequests.bulk("k", ab, false, now)));
    assertEquals(Found.REPLAY, store.begin(KeyedRequests.bulk("k", ab, false, now)).found());
    assertEquals(Found.MISMATCH, store.begin(KeyedRequests.bulk("k", ba, false, now)).found());
  }

  @Test
  void bulkReservesTheOverheadAndTwentyOneBytesAPairBesidesTheIds() {
    // KeyedRequest.BODY_OVERHEAD + "a".length() + 21: fits 86 answer bytes, not 85
    Map<String, Long> plays = Map.of("a", 1L);
    long bound = KeyedRequest.BODY_OVERHEAD + 1 + 21;
    assertEquals(Found.TOO_LARGE, memory(new KeyLimits(600_000, 10, bound - 1))
        .begin(KeyedRequests.bulk("k", plays, false, now)).found());
    assertEquals(Found.NEW, memory(new KeyLimits(600_000, 10, bound))
        .begin(KeyedRequests.bulk("k", plays, false, now)).found());
  }

  @Test
  void kindSaysWhatAnswerAndFormatTheRequestGets() {
    assertEquals(KeyedRequest.PLAY, KeyedRequests.play("k", "a", false, now).kind());
    assertEquals(KeyedRequest.BULK | KeyedRequest.JSON,
        KeyedRequests.bulk("k", Map.of(), true, now).kind());
    assertEquals(KeyedRequest.DRAIN, KeyedRequests.drain("k", false, now).kind());
  }

  /** {@code key}, taken as new by the store, as the servlet does before it writes. */
  private KeyedRequest taken(KeyedRequest key) {
    assertEquals(Found.NEW, store.begin(key).found());
    return key;
  }

  private static PlayCountStore memory(KeyLimits keys) {
    try {
      return PlayCountStore.open(StoreOptions.inMemory(1000).withKeys(keys));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
