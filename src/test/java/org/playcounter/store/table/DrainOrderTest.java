package org.playcounter.store.table;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.playcounter.store.format.ChannelOpener;
import org.playcounter.store.journal.Entry;
import org.playcounter.store.journal.Journal;
import org.playcounter.store.journal.JournalSettings;
import org.playcounter.store.journal.Outcome;
import org.playcounter.store.keys.KeyTable;

/**
 * A play that comes after a one-step drain in memory comes after it in the journal: once the
 * drain recorded its removal after it had taken every stripe, so a play of a stripe already taken
 * was journaled before the removal it followed, and replay summed a count past Long.MAX_VALUE
 * that memory never held, and refused to start.
 */
final class DrainOrderTest {
  @TempDir
  Path dir;

  private final List<String> log = new ArrayList<>();

  private JournalSettings settings() {
    return new JournalSettings(true, 1000, 1L << 40, 1 << 16, ChannelOpener.FILES, log::add);
  }

  private static KeyTable keys() {
    return new KeyTable(60_000, 1000, 1 << 20);
  }

  @Test
  void aPlayDuringADrainOfASongAtTheTopStillRecovers() throws Exception {
    SongTable table = new SongTable(1000);
    Journal journal = Journal.open(dir, table, keys(), settings());
    String id = "a";
    int stripe = SongHash.stripe(SongHash.of(id));
    Stripe later = table.stripes[SongTable.STRIPES - 1];
    if (stripe == SongTable.STRIPES - 1) {
      throw new AssertionError("pick another id");
    }
    change(journal, false, e -> table.add(id, Long.MAX_VALUE, e));
    later.lock(); // the drain waits here, before it records anything
    CompletableFuture<Long> drained = CompletableFuture.supplyAsync(() -> {
      long[] got = {0};
      change(journal, true, e -> table.removals().drain(e).forEach((k, v) -> got[0] += v));
      return got[0];
    });
    awaitQueued(later);
    // a play of a while the drain is under way: it comes after the drain in memory, so it must
    // come after it in the journal too
    CompletableFuture<Void> played = CompletableFuture.runAsync(
        () -> change(journal, false, e -> table.add(id, 1, e)));
    awaitQueued(table.stripes[stripe]);
    later.unlock();
    played.get(10, TimeUnit.SECONDS);
    assertEquals(Long.MAX_VALUE, drained.get(10, TimeUnit.SECONDS));
    assertEquals(1, table.get(id));
    journal.stop(false);

    SongTable recovered = new SongTable(1000);
    Journal again = Journal.open(dir, recovered, keys(), settings()); // throws: "passes MAX"
    try {
      assertEquals(1, recovered.get(id));
    } finally {
      again.stop(false);
    }
  }

  /** Waits, up to ten seconds, until a thread waits for {@code lock}. */
  private static void awaitQueued(Stripe lock) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!lock.hasQueuedThreads() && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
  }

  interface Step {
    void apply(Entry entry);
  }

  private static void change(Journal journal, boolean removal, Step step) {
    Entry entry = journal.entry(removal, null);
    journal.changes().lock();
    try {
      step.apply(entry);
    } finally {
      journal.changes().unlock();
    }
    Outcome outcome = entry.await();
    if (outcome.kind() != Outcome.Kind.ACKNOWLEDGED) {
      throw new AssertionError(outcome.toString());
    }
  }
}
