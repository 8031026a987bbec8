package org.playcounter.store.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each kind of change, undone, leaves the table exactly as it was before the change: live
 * counts, every pending drain's counts, the pending numbers and both song counters. Songs are
 * named like the record grammar's own words, and one sits at the top of the range.
 */
class ChangeUndoTest {
  private static final String TOP = "end";

  private SongTable table;
  private final List<Change> recorded = new ArrayList<>();
  private final Recorder capture = recorded::add;

  @BeforeEach
  void someLiveAndSomePending() {
    table = new SongTable(1_000);
    table.add("begin", 5, Recorder.NONE);
    table.add("key", 2, Recorder.NONE);
    table.drains().create(8, Recorder.NONE); // begin=5, key=2 pending
    table.add("begin", 3, Recorder.NONE);
    table.add("live", 7, Recorder.NONE);
    table.add(TOP, Long.MAX_VALUE - 5, Recorder.NONE);
  }

  @Test
  void aPlayOfANewSongUndoneLeavesTheTableAsItWas() {
    assertUndoes(() -> table.add("drain", 4, capture), Change.Plays.class);
  }

  @Test
  void aPlayOfASongHeldLiveAndPendingUndoneLeavesTheTableAsItWas() {
    assertUndoes(() -> table.add("begin", 1, capture), Change.Plays.class);
  }

  @Test
  void aBulkAddOfNewAndHeldSongsUndoneLeavesTheTableAsItWas() {
    Map<String, Long> plays = new LinkedHashMap<>();
    plays.put("begin", 2L);
    plays.put("plays", 9L);
    plays.put("key", 1L);
    assertUndoes(() -> table.addAll(plays, capture), Change.Bulk.class);
  }

  @Test
  void aRemovalOfASongLiveAndPendingUndoneLeavesTheTableAsItWas() {
    assertUndoes(() -> table.removals().remove("begin", capture), Change.Removal.class);
  }

  @Test
  void aRemovalOfASongOnlyPendingUndoneLeavesTheTableAsItWas() {
    assertUndoes(() -> table.removals().remove("key", capture), Change.Removal.class);
  }

  @Test
  void aOneStepDrainUndoneLeavesTheTableAsItWas() {
    assertUndoes(() -> table.removals().drain(capture), Change.Drain.class);
  }

  @Test
  void aPutBackUndoneLeavesTheTableAsItWas() {
    SongCounts drained = table.removals().drain(Recorder.NONE);
    table.add("live", 1, Recorder.NONE);
    assertUndoes(() -> table.removals().putBack(drained, capture), Change.PutBack.class);
  }

  @Test
  void aPutBackThatSaturatesAtTheTopUndoneLeavesTheTableAsItWas() {
    SongCounts drained = table.removals().drain(Recorder.NONE);
    table.add(TOP, Long.MAX_VALUE - 2, Recorder.NONE); // only 2 of the drained fit back
    assertUndoes(() -> table.removals().putBack(drained, capture), Change.Bulk.class);
  }

  @Test
  void aPendingDrainMadeUndoneLeavesTheTableAsItWas() {
    assertUndoes(() -> table.drains().create(8, capture), Change.DrainMade.class);
  }

  @Test
  void anAcknowledgementUndoneLeavesTheTableAsItWas() {
    long number = table.drains().numbers()[0];
    assertUndoes(() -> table.drains().acknowledge(number, capture),
        Change.DrainAcknowledged.class);
  }

  private void assertUndoes(Runnable change, Class<? extends Change> kind) {
    String before = state();
    change.run();
    assertEquals(1, recorded.size(), "one change recorded");
    assertInstanceOf(kind, recorded.get(0));
    recorded.get(0).undo(table);
    assertEquals(before, state());
  }

  /** Everything the table holds, as text: live and pending counts, numbers, counters. */
  private String state() {
    Map<String, Long> all = new TreeMap<>();
    table.snapshot(all::put);
    StringBuilder text = new StringBuilder("all=" + all);
    for (long number : table.drains().numbers()) {
      Map<String, Long> part = new TreeMap<>();
      table.drains().get(number).forEach(part::put);
      text.append(" drain ").append(number).append('=').append(part);
    }
    return text.append(" songs=").append(table.songs()).append(" pending=")
        .append(table.pendingSongs()).toString();
  }
}
