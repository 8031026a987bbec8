package org.playcounter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.playcounter.store.PlayCountStore;

class RejectionTest {
  @Test
  void overflowIs409() {
    PlayCountStore store = new PlayCountStore(10);
    store.add(Map.of("a", Long.MAX_VALUE));
    assertRefused(Rejection.COUNT_OVERFLOW, 409, () -> store.increment("a"));
  }

  @Test
  void songLimitIs507() {
    PlayCountStore store = new PlayCountStore(1);
    store.increment("a");
    assertRefused(Rejection.SONG_LIMIT, 507, () -> store.increment("b"));
  }

  @Test
  void tooManyPendingDrainsIs409() {
    PlayCountStore store = new PlayCountStore(10);
    store.increment("a");
    store.createDrain(1);
    store.increment("b");
    assertRefused(Rejection.TOO_MANY_DRAINS, 409, () -> store.createDrain(1));
  }

  @Test
  void anythingElseIsNoStoreRefusal() {
    assertNull(Rejection.ofStoreRefusal(new IllegalStateException("a bug")));
    assertNull(Rejection.ofStoreRefusal(new IllegalArgumentException("bad id")));
  }

  private static void assertRefused(Rejection expected, int status, Executable change) {
    RuntimeException e = assertThrows(RuntimeException.class, change);
    assertEquals(expected, Rejection.ofStoreRefusal(e));
    assertEquals(status, Rejection.ofStoreRefusal(e).status());
  }
}
