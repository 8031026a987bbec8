package org.playcounter.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.playcounter.store.journal.JournalSettings;
import org.playcounter.store.format.ChannelOpener;

/**
 * Every fault the journal's files can throw, at every write and fsync of every kind of change:
 * after each, what the client was told matches memory, and the directory reopened rebuilds
 * exactly that memory, song for song.
 */
class JournalFaultTest {
  @TempDir
  Path temp;

  private final List<String> log = new ArrayList<>();

  /** The changes under test. */
  enum Op { PLAY, BULK_ADD, DELETE, DRAIN, PUT_BACK, COMPACTION, CREATE_DRAIN, ACKNOWLEDGE,
    DELETE_PENDING, KEYED_BULK_ADD }

  /** One way to fail, armed on a {@link Faults} just before the change. */
  record Fault(String name, Consumer<Faults> arm) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> everyFaultAtEveryStep() throws IOException {
    List<Arguments> cases = new ArrayList<>();
    for (boolean always : new boolean[] {false, true}) {
      for (Op op : Op.values()) {
        Path dir = Files.createTempDirectory("playcounter-count");
        Faults counter = new Faults();
        Scenario scenario = new Scenario(dir, op, always, counter, new ArrayList<>());
        scenario.seed();
        long bytes = counter.bytesWritten;
        int writes = counter.writes;
        int forces = counter.forces;
        scenario.run();
        scenario.store.close();
        long opBytes = counter.bytesWritten - bytes;
        int opWrites = counter.writes - writes;
        int opForces = counter.forces - forces;
        List<Fault> faults = new ArrayList<>();
        for (long budget : new long[] {0, 1, opBytes / 2, opBytes - 1}) {
          for (boolean truncateFails : new boolean[] {false, true}) {
            faults.add(new Fault("write fails after " + budget + " of " + opBytes + " bytes"
                + (truncateFails ? ", truncate fails" : ""), f -> {
                  f.writeBudget = budget;
                  f.failTruncate = truncateFails;
                }));
          }
        }
        for (int i = 0; i < opForces; i++) {
          int at = i;
          faults.add(new Fault("fsync " + (at + 1) + " of " + opForces + " fails",
              f -> f.failForceAfter = at));
          faults.add(new Fault("interrupt closes the channel in fsync " + (at + 1),
              f -> f.interruptForceAfter = at));
        }
        for (int i = 0; i < opWrites; i++) {
          int at = i;
          faults.add(new Fault("interrupt closes the channel in write " + (at + 1) + " of "
              + opWrites, f -> f.interruptWriteAfter = at));
          faults.add(new Fault("interrupt in write " + (at + 1) + ", then the retry fails",
              f -> {
                f.interruptWriteAfter = at;
                f.writeBudget = 0;
              }));
        }
        for (Fault fault : faults) {
          cases.add(Arguments.of(op, always ? "always" : "interval", fault));
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}, fsync={1}: {2}")
  @MethodSource
  void everyFaultAtEveryStep(Op op, String fsync, Fault fault) throws IOException {
    Faults faults = new Faults();
    Scenario scenario = new Scenario(temp, op, fsync.equals("always"), faults, log);
    scenario.seed();
    Map<String, Long> before = contents(scenario.store);
    Map<Long, Map<String, Long>> pendingBefore = pending(scenario.store);
    fault.arm.accept(faults);
    String refusal = null;
    boolean recordedUnforced = false;
    try {
      scenario.run();
    } catch (StorageFailedException e) {
      if (e.getMessage().contains("nothing was changed")) {
        refusal = e.getMessage();
      } else if (e.getMessage().contains("could not be forced")) {
        recordedUnforced = true;
      } else {
        fail("a refusal that does not say whether it counts: " + e.getMessage());
      }
    }
    try {
      scenario.store.flush();
    } catch (StorageFailedException e) {
      // the journal is failed; memory still says what the file holds
    }
    scenario.store.journal().awaitCompaction(); // a compaction the change set off
    faults.disarm();
    Map<String, Long> memory = contents(scenario.store);
    Map<Long, Map<String, Long>> pendingMemory = pending(scenario.store);
    Map<String, Long> after = scenario.expectedAfter(before);
    boolean keyInMemory = op == Op.KEYED_BULK_ADD && keyRemembered(scenario.store);
    if (op == Op.KEYED_BULK_ADD) {
      assertEquals(refusal == null, keyInMemory, "the key is remembered iff its change counts");
    }
    if (refusal != null) {
      assertEquals(before, memory, "refused (" + refusal + "), so nothing changed");
      assertEquals(pendingBefore, pendingMemory, "refused, so no drain changed");
      if (op == Op.PUT_BACK) {
        assertEquals(scenario.drainedCounts, rescued(), "the put-back went to a file");
      }
    } else {
      assertEquals(after, memory, recordedUnforced ? "recorded, not forced" : "acknowledged");
      if (op == Op.DRAIN) {
        assertEquals(before, contents(scenario.drained), "the drain returned what it took");
      }
      assertEquals(scenario.expectedPending(pendingBefore), pendingMemory, "pending drains");
    }
    scenario.store.close();
    PlayCountStore reopened = Stores.open(temp, 1_000_000, new JournalSettings(false,
        60_000, scenario.maxBytes, 4096, ChannelOpener.FILES, log::add));
    assertEquals(memory, contents(reopened), "recovery rebuilds memory; log: " + log);
    if (op == Op.KEYED_BULK_ADD) {
      assertEquals(refusal == null, keyRemembered(reopened), "the key is there iff its change");
    }
    assertEquals(pendingMemory, pending(reopened), "recovery rebuilds the pending drains");
    reopened.close();
  }

  /** A store seeded with plays, and one change to make on it. */
  static final class Scenario {
    final Op op;
    final long maxBytes;
    final PlayCountStore store;
    Drained drained;
    Map<String, Long> drainedCounts;
    /** The first pending drain the seed made, for ACKNOWLEDGE. */
    long first;
    Map<String, Long> firstCounts;
    /** The drain CREATE_DRAIN made, and the live counts it took. */
    PendingDrain created;
    Map<String, Long> live;

    Scenario(Path dir, Op op, boolean always, Faults faults, List<String> log)
        throws IOException {
      this.op = op;
      this.maxBytes = op == Op.COMPACTION ? 4096 : 1 << 20;
      // a small write buffer, so that a bulk change takes several writes
      store = Stores.open(dir, 1_000_000, new JournalSettings(always, 60_000, maxBytes,
          4096, faults, log::add));
    }

    void seed() {
      store.add(bulk("s", 300));
      for (int i = 0; i < 5; i++) {
        store.increment("hot");
      }
      if (op == Op.ACKNOWLEDGE || op == Op.DELETE_PENDING) {
        first = store.createDrain(8).number();
        firstCounts = contents(store.pendingDrain(first).counts());
        store.add(bulk("s", 20)); // s7 is live and pending
        store.createDrain(8);
        store.increment("s7");
      }
      if (op == Op.PUT_BACK) {
        drained = store.drain();
        drainedCounts = contents(drained);
        store.add(bulk("s", 20)); // some songs are back before the put-back
        store.increment("new");
      }
      store.flush();
    }

    void run() {
      switch (op) {
        case PLAY -> store.increment("hot");
        case BULK_ADD, COMPACTION -> store.add(bulk("b", 400));
        case KEYED_BULK_ADD -> {
          assertEquals(KeyLookup.Found.NEW, store.begin(KEY).found());
          store.add(bulk("b", 400), KEY);
        }
        case DELETE -> store.remove("s7");
        case DRAIN -> drained = store.drain();
        case PUT_BACK -> store.restore(drained);
        case CREATE_DRAIN -> {
          live = new HashMap<>(contents(store));
          created = store.createDrain(8);
        }
        case ACKNOWLEDGE -> assertTrue(store.acknowledge(first));
        case DELETE_PENDING -> assertEquals(17, store.remove("s7"), "in two pending drains and live");
        default -> throw new AssertionError(op);
      }
    }

    Map<Long, Map<String, Long>> expectedPending(Map<Long, Map<String, Long>> before) {
      Map<Long, Map<String, Long>> after = new HashMap<>(before);
      switch (op) {
        case CREATE_DRAIN -> after.put(created.number(), live);
        case ACKNOWLEDGE -> after.remove(first);
        case DELETE_PENDING -> after.replaceAll((number, counts) -> {
          Map<String, Long> without = new HashMap<>(counts);
          without.remove("s7");
          return without;
        });
        default -> { }
      }
      return after;
    }

    Map<String, Long> expectedAfter(Map<String, Long> before) {
      Map<String, Long> after = new HashMap<>(before);
      switch (op) {
        case PLAY -> after.merge("hot", 1L, Long::sum);
        case BULK_ADD, COMPACTION, KEYED_BULK_ADD -> bulk("b", 400).forEach((id, n) ->
            after.merge(id, n, Long::sum));
        case DELETE -> after.remove("s7");
        case DRAIN -> after.clear();
        case PUT_BACK -> drainedCounts.forEach((id, n) -> after.merge(id, n, Long::sum));
        case CREATE_DRAIN -> { } // pending counts still count
        case ACKNOWLEDGE -> firstCounts.forEach((id, n) -> {
          if (after.merge(id, -n, Long::sum) == 0) {
            after.remove(id);
          }
        });
        case DELETE_PENDING -> after.remove("s7");
        default -> throw new AssertionError(op);
      }
      return after;
    }
  }

  /** The key of KEYED_BULK_ADD. */
  static final KeyedRequest KEY = TestKeys.bulk("fault-key", bulk("b", 400), false,
      System.currentTimeMillis());

  /** Whether the store replays KEY: exactly when its bulk add counts. */
  static boolean keyRemembered(PlayCountStore store) {
    KeyLookup.Found found = store.begin(KEY).found();
    if (found == KeyLookup.Found.NEW) {
      store.abandon(KEY);
      return false;
    }
    assertEquals(KeyLookup.Found.REPLAY, found);
    return true;
  }

  static Map<String, Long> bulk(String prefix, int songs) {
    Map<String, Long> plays = new LinkedHashMap<>();
    for (int i = 0; i < songs; i++) {
      plays.put(prefix + i, (long) i + 1);
    }
    return plays;
  }

  private Map<String, Long> rescued() throws IOException {
    try (Stream<Path> files = Files.list(temp)) {
      List<Path> rescue = files.filter(p -> p.getFileName().toString()
          .startsWith("undelivered-drain-")).toList();
      assertEquals(1, rescue.size(), rescue.toString());
      Map<String, Long> counts = new HashMap<>();
      for (String line : Files.readAllLines(rescue.get(0))) {
        String[] pair = line.split(" ");
        counts.put(pair[0], Long.parseLong(pair[1]));
      }
      return counts;
    }
  }

  /** Live and pending counts, summed per song, as {@code GET /} shows them. */
  static Map<String, Long> contents(PlayCountStore store) {
    Map<String, Long> counts = new HashMap<>();
    store.snapshot(counts::put);
    assertFalse(counts.containsValue(0L));
    if (store.pendingDrains().length == 0) {
      assertEquals(counts.size(), store.stats().songs(), "songs held agrees with the table");
    }
    return counts;
  }

  /** Every pending drain's counts by number. */
  static Map<Long, Map<String, Long>> pending(PlayCountStore store) {
    Map<Long, Map<String, Long>> drains = new HashMap<>();
    long songs = 0;
    for (long number : store.pendingDrains()) {
      drains.put(number, contents(store.pendingDrain(number).counts()));
      songs += drains.get(number).size();
    }
    assertEquals(songs, store.stats().pendingSongs(), "pending songs agree with the drains");
    return drains;
  }

  static Map<String, Long> contents(Drained drained) {
    Map<String, Long> counts = new HashMap<>();
    drained.forEach(counts::put);
    assertTrue(counts.size() == drained.size());
    return counts;
  }
}
