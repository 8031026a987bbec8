package org.playcounter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.playcounter.server.Health.Warning;
import org.playcounter.store.PlayCountStore;
import org.playcounter.store.StoreOptions;

class HealthTest {
  @TempDir
  Path dir;

  private static final String FULL = "full: 50 songs held (0 in pending drains), max-songs is 50;"
      + " new songs are refused";

  @Test
  void roomyCounterIsReadyAndSaysOk() {
    Health health = Health.of(null, null, 5_000_000, 10_000_000);
    assertTrue(health.ready());
    assertEquals(200, health.status());
    assertEquals("OK", health.body());
    assertFalse(health.warns(Warning.FULL));
    assertFalse(health.warns(Warning.HEAP_HEADROOM_LOW));
  }

  @Test
  void fullCounterIsStillReadyWithTheWarning() {
    Health health = Health.of(null, FULL, 5_000_000, 0);
    assertEquals(200, health.status());
    assertEquals("OK; warning: " + FULL, health.body());
    assertTrue(health.warns(Warning.FULL));
    assertFalse(health.warns(Warning.HEAP_HEADROOM_LOW), "the limit stops it before the heap");
  }

  @Test
  void heapShortBeforeTheLimitIsAWarningThatNamesTheThreshold() {
    Health health = Health.of(null, null, 99_999, 1_000_000);
    assertEquals(200, health.status());
    assertEquals("OK; warning: heap headroom low: the heap holds about 99999 more songs (warned"
        + " below 100000), 1000000 more are allowed by max-songs", health.body());
    assertTrue(health.warns(Warning.HEAP_HEADROOM_LOW));
  }

  @Test
  void headroomAtTheThresholdOrBeyondTheLimitIsNoWarning() {
    assertEquals("OK", Health.of(null, null, Health.LOW_HEADROOM_SONGS, 1_000_000).body());
    assertEquals("OK", Health.of(null, null, 10, 10).body());
  }

  @Test
  void severalWarningsAreJoinedOnOneLine() {
    String body = Health.of(null, FULL, 5, 6).body();
    assertTrue(body.startsWith("OK; warning: " + FULL + "; warning: heap headroom low: "), body);
    assertFalse(body.contains("\n"), body);
  }

  @Test
  void failedJournalIs503WithItsReasonAlone() {
    Health health = Health.of("storage failed: disk full", FULL, 5, 6);
    assertFalse(health.ready());
    assertEquals(503, health.status());
    assertEquals("storage failed: disk full", health.body());
  }

  @Test
  void durableStoreAtItsLimitIsFullButReadyAndStoppingIsNot() throws IOException {
    PlayCountStore store = PlayCountStore.open(StoreOptions.inMemory(2).withDataDir(dir)
        .withFsync(false, 1000).withJournalMaxBytes(1 << 20).withLog(line -> { }, nanos -> { }));
    store.increment("a");
    assertEquals("OK", Health.of(store).body());
    store.increment("b");
    Health full = Health.of(store);
    assertEquals("OK; warning: full: 2 songs held (0 in pending drains), max-songs is 2; new"
        + " songs are refused", full.body());
    store.close();
    Health stopping = Health.of(store);
    assertEquals(503, stopping.status());
    assertEquals("the data directory is closed: the deployment is stopping", stopping.body());
  }
}
