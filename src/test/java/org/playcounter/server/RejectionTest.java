package org.playcounter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.playcounter.store.PlayCountStore;

class RejectionTest {
  @Test
  void overflowIs409() {
    PlayCountStore store = new PlayCountStore(10);
    store.add(Map.of("a", Long.MAX_VALUE));
    RuntimeException e = assertThrows(RuntimeException.class, () -> store.increment("a"));
    assertEquals(Rejection.COUNT_OVERFLOW, Rejection.ofStoreRefusal(e));
    assertEquals(409, Rejection.ofStoreRefusal(e).status());
  }

  @Test
  void songLimitIs507() {
    PlayCountStore store = new PlayCountStore(1);
    store.increment("a");
    RuntimeException e = assertThrows(RuntimeException.class, () -> store.increment("b"));
    assertEquals(Rejection.SONG_LIMIT, Rejection.ofStoreRefusal(e));
    assertEquals(507, Rejection.ofStoreRefusal(e).status());
  }

  @Test
  void tooManyPendingDrainsIs409() {
    PlayCountStore store = new PlayCountStore(10);
    store.increment("a");
    store.createDrain(1);
    store.increment("b");
    RuntimeException e = assertThrows(RuntimeException.class, () -> store.createDrain(1));
    assertEquals(Rejection.TOO_MANY_DRAINS, Rejection.ofStoreRefusal(e));
    assertEquals(409, Rejection.ofStoreRefusal(e).status());
  }

  @Test
  void anythingElseIsNoStoreRefusal() {
    assertNull(Rejection.ofStoreRefusal(new IllegalStateException("a bug")));
    assertNull(Rejection.ofStoreRefusal(new IllegalArgumentException("bad id")));
  }
}
