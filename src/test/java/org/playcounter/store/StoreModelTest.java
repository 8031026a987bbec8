package org.playcounter.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Tuple;
import org.playcounter.store.journal.JournalSettings;
import org.playcounter.store.format.DataDirectory;

/**
 * The whole store against a plain model: generated histories of plays, bulk adds (empty ones
 * too), keyed variants and their retries, deletes, one-step and pending drains,
 * acknowledgements, put-backs and compactions, over song ids drawn to be hostile (the formats'
 * own words and numbers, 13-digit numbers, 8-hex strings, 128-character ids), applied at once to
 * the store and to the model. At generated points the store stops (a clean close, a close
 * without snapshot, the journal cut at a random byte of what was not yet forced) or a write or
 * fsync fault hits the next change; it reopens from its directory, and memory, model and
 * reopened store must agree, pending drains included, and every remembered key must replay the
 * answer first given. {@code mvn verify} runs {@value #DEFAULT_TRIES} histories in each fsync mode
 * (jqwik's default, set in the pom); {@code -Dplaycounter.model-tries=100000} runs a long hunt.
 */
class StoreModelTest {
  static final int DEFAULT_TRIES = 2000;
  private static final int MAX_SONGS = 60;
  private static final int MAX_DRAINS = 8;
  private static final String ID_CHARS =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

  // ---- the history's steps --------------------------------------------------------------------

  /** One step of a history. */
  sealed interface Step permits Play, Bulk, Delete, Get, OneStepDrain, CreateDrain, Acknowledge,
      PutBack, Stop, Fault {}

  /** A play of {@code id}, with the idempotency key {@code key} when it is not null. */
  record Play(String id, String key) implements Step {}

  record Bulk(Map<String, Long> plays, String key) implements Step {}

  record Delete(String id) implements Step {}

  record Get(String id) implements Step {}

  record OneStepDrain() implements Step {}

  record CreateDrain(String key) implements Step {}

  /** Acknowledges the {@code which}-th pending drain (modulo how many), or one never made. */
  record Acknowledge(int which) implements Step {}

  /** Puts the last one-step drain back, as an undelivered drain is. */
  record PutBack() implements Step {}

  enum StopKind { CLEAN, NO_SNAPSHOT, CUT }

  /** The store stops and reopens; a cut keeps {@code fraction} of what was not forced. */
  record Stop(StopKind kind, double fraction) implements Step {}

  /** The next step meets a failing write (after {@code budget} bytes) or a failing fsync. */
  record Fault(boolean fsync, int budget) implements Step {}

  // ---- the property ---------------------------------------------------------------------------

  @Property(edgeCases = EdgeCasesMode.NONE) // shrinking bounded (10 s), so a hunt never stalls
  void theStoreIsTheModelThroughEveryStopAndFault(@ForAll("histories") List<Step> history,
      @ForAll boolean fsyncAlways) throws IOException {
    Path dir = Files.createTempDirectory(scratch(), "model");
    try {
      new Run(dir, fsyncAlways).play(history);
    } finally {
      delete(dir);
    }
  }

  @Provide
  Arbitrary<List<Step>> histories() {
    Arbitrary<String> ids = ids();
    Arbitrary<String> keys = Arbitraries.of("k0", "k1", "k2", "k3").injectNull(0.5);
    Arbitrary<Long> counts = Arbitraries.frequencyOf(
        Tuple.of(6, Arbitraries.longs().between(1, 9)),
        Tuple.of(2, Arbitraries.just(9_007_199_254_740_992L)),
        Tuple.of(1, Arbitraries.longs().between(1, 9_007_199_254_740_992L)),
        Tuple.of(1, Arbitraries.just(Long.MAX_VALUE / 2)));
    Arbitrary<Map<String, Long>> bulks = Combinators.combine(ids, counts).as(Map::entry).list()
        .ofMaxSize(6).map(entries -> {
          Map<String, Long> plays = new LinkedHashMap<>();
          entries.forEach(e -> plays.putIfAbsent(e.getKey(), e.getValue()));
          return plays;
        });
    Arbitrary<Map<String, Long>> large = Arbitraries.integers().between(40, 200).map(n -> {
      Map<String, Long> plays = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        plays.put("bulk-" + i, 1L + i % 3);
      }
      return plays;
    });
    Arbitrary<Step> step = Arbitraries.frequencyOf(
        Tuple.of(12, Combinators.combine(ids, keys).as(Play::new)),
        Tuple.of(8, Combinators.combine(bulks, keys).as(Bulk::new)),
        Tuple.of(1, Combinators.combine(large, keys).as(Bulk::new)),
        Tuple.of(3, ids.map(Delete::new)),
        Tuple.of(3, ids.map(Get::new)),
        Tuple.of(2, Arbitraries.just(new OneStepDrain())),
        Tuple.of(3, keys.map(CreateDrain::new)),
        Tuple.of(3, Arbitraries.integers().between(0, 9).map(Acknowledge::new)),
        Tuple.of(2, Arbitraries.just(new PutBack())),
        Tuple.of(3, Combinators.combine(Arbitraries.of(StopKind.class),
            Arbitraries.doubles().between(0, 1)).as(Stop::new)),
        Tuple.of(2, Combinators.combine(Arbitraries.of(true, false),
            Arbitraries.integers().between(0, 300)).as(Fault::new)));
    return step.list().ofMinSize(1).ofMaxSize(60);
  }

  /** Song ids drawn to be hostile, most from a small set so that steps meet on the same songs. */
  static Arbitrary<String> ids() {
    return Arbitraries.frequencyOf(
        Tuple.of(10, Arbitraries.of(SnapshotTest.FORMAT_WORDS)),
        Tuple.of(2, Arbitraries.longs().between(1_000_000_000_000L, 9_999_999_999_999L)
            .map(String::valueOf)),
        Tuple.of(2, Arbitraries.strings().withChars("0123456789abcdef").ofLength(8)),
        Tuple.of(1, Arbitraries.strings().withChars(ID_CHARS).ofLength(128)),
        Tuple.of(2, Arbitraries.strings().withChars(ID_CHARS).ofMinLength(1).ofMaxLength(12)
            .filter(id -> !id.equals(".") && !id.equals(".."))));
  }

  // ---- the model ------------------------------------------------------------------------------

  /** What the store should hold: live counts, pending drains and remembered keys. */
  static final class Model {
    final Map<String, Long> live = new HashMap<>();
    final TreeMap<Long, Map<String, Long>> pending = new TreeMap<>();
    final Map<String, Remembered> keys = new HashMap<>();

    Model copy() {
      Model copy = new Model();
      copy.live.putAll(live);
      pending.forEach((n, counts) -> copy.pending.put(n, new HashMap<>(counts)));
      copy.keys.putAll(keys);
      return copy;
    }

    long total(String id) {
      long total = live.getOrDefault(id, 0L);
      for (Map<String, Long> drain : pending.values()) {
        total += drain.getOrDefault(id, 0L);
      }
      return total;
    }

    int held() {
      return live.size() + pending.values().stream().mapToInt(Map::size).sum();
    }

    /** Live and pending summed per song, as {@code GET /} shows them. */
    Map<String, Long> counts() {
      Map<String, Long> counts = new HashMap<>(live);
      pending.values().forEach(drain -> drain.forEach((id, n) -> counts.merge(id, n, Long::sum)));
      return counts;
    }
  }

  /**
   * A key with its request and the answer first given; {@code memoryOnly} for an empty bulk
   * add, which journals nothing, so a crash may forget it (a retry then answers the same).
   */
  record Remembered(String request, KeyedRequest keyed, long value, String body,
      boolean memoryOnly) {}

  /** A model state after a step, with where the journal was then. */
  record State(long generation, long offset, Model model) {}

  // ---- running a history ----------------------------------------------------------------------

  private static final class Run {
    private final Path dir;
    private final boolean always;
    private final Faults faults = new Faults();
    private PlayCountStore store;
    private Model model = new Model();
    private final List<State> states = new ArrayList<>();
    private Drained lastDrained;
    private Map<String, Long> lastDrainedModel;
    private Fault armed;

    Run(Path dir, boolean always) throws IOException {
      this.dir = dir;
      this.always = always;
      open();
    }

    void play(List<Step> history) throws IOException {
      try {
        for (Step step : history) {
          if (step instanceof Fault fault) {
            armed = fault;
            continue;
          }
          if (step instanceof Stop stop) {
            stop(stop);
            continue;
          }
          Fault fault = armed;
          armed = null;
          if (fault != null) {
            arm(fault);
          }
          Model before = model.copy();
          try {
            apply(step);
          } catch (StorageFailedException e) {
            assertTrue(fault != null, "a storage failure with no fault: " + e.getMessage());
            if (!e.getMessage().contains("could not be forced")) {
              model = before; // refused: nothing changed
            }
          } finally {
            faults.disarm();
          }
          if (store.stats().unavailable() != null && store.stats().unavailable().startsWith("storage failed")) {
            stop(new Stop(StopKind.CLEAN, 0)); // a failed journal takes nothing until a restart
          } else {
            record();
          }
        }
        stop(new Stop(StopKind.CLEAN, 0));
      } finally {
        store.close();
      }
    }

    private void arm(Fault fault) {
      if (fault.fsync()) {
        faults.failForceAfter = 0;
      } else {
        faults.writeBudget = fault.budget();
      }
    }

    private void open() throws IOException {
      store = Stores.open(dir, MAX_SONGS, new JournalSettings(always, 600_000, 2048,
          512, faults, line -> { }));
      states.clear();
      record();
    }

    private void record() {
      states.add(new State(store.journal().generation(), store.stats().journalBytes(), model.copy()));
    }

    private void apply(Step step) {
      if (step instanceof Play p) {
        play(p);
      } else if (step instanceof Bulk b) {
        bulk(b);
      } else if (step instanceof Delete d) {
        long expected = model.total(d.id());
        model.live.remove(d.id()); // before the call: a removal whose fsync failed stands
        model.pending.values().forEach(drain -> drain.remove(d.id()));
        assertEquals(expected, store.remove(d.id()), "delete " + d.id());
      } else if (step instanceof Get g) {
        assertEquals(model.total(g.id()), store.get(g.id()), "get " + g.id());
      } else if (step instanceof OneStepDrain) {
        Map<String, Long> expected = new HashMap<>(model.live);
        model.live.clear();
        Drained drained = store.drain();
        assertEquals(expected, JournalFaultTest.contents(drained), "one-step drain");
        lastDrained = drained;
        lastDrainedModel = expected;
      } else if (step instanceof CreateDrain c) {
        createDrain(c);
      } else if (step instanceof Acknowledge a) {
        acknowledge(a);
      } else if (step instanceof PutBack) {
        putBack();
      } else {
        fail("not a change: " + step);
      }
    }

    private void acknowledge(Acknowledge a) {
      if (model.pending.isEmpty()) {
        assertFalse(store.acknowledge(a.which() + 1L), "no such drain");
        return;
      }
      long number = new ArrayList<>(model.pending.keySet()).get(a.which() % model.pending.size());
      model.pending.remove(number);
      assertTrue(store.acknowledge(number), "acknowledge " + number);
    }

    private void putBack() {
      if (lastDrained == null) {
        return;
      }
      Map<String, Long> back = new HashMap<>();
      lastDrainedModel.forEach((id, count) -> back.put(id,
          Math.min(count, Long.MAX_VALUE - model.total(id))));
      back.forEach((id, count) -> {
        if (count > 0) {
          model.live.merge(id, count, Long::sum);
        }
      });
      store.restore(lastDrained);
    }

    private void play(Play p) {
      KeyedRequest keyed = p.key() == null ? null
          : TestKeys.play(p.key(), p.id(), false, System.currentTimeMillis());
      String request = "play " + p.id();
      if (keyed != null && replayed(p.key(), request, keyed)) {
        return;
      }
      long total = model.total(p.id());
      if (total > Long.MAX_VALUE - 1) {
        assertThrows(CountOverflowException.class, () -> store.increment(p.id(), keyed));
        assertForgotten(keyed);
      } else if (!model.live.containsKey(p.id()) && model.held() + 1 > MAX_SONGS) {
        assertThrows(SongLimitException.class, () -> store.increment(p.id(), keyed));
        assertForgotten(keyed);
      } else {
        model.live.merge(p.id(), 1L, Long::sum);
        if (keyed != null) {
          // set before the call: a change whose fsync failed counts, key and all, yet throws
          model.keys.put(p.key(), new Remembered(request, keyed, total + 1, null, false));
        }
        assertEquals(total + 1, store.increment(p.id(), keyed), "play " + p.id());
      }
    }

    private void bulk(Bulk b) {
      KeyedRequest keyed = b.key() == null ? null
          : TestKeys.bulk(b.key(), b.plays(), false, System.currentTimeMillis());
      StringBuilder request = new StringBuilder("bulk");
      b.plays().forEach((id, n) -> request.append(' ').append(id).append('=').append(n));
      if (keyed != null && replayed(b.key(), request.toString(), keyed)) {
        return;
      }
      boolean overflow = b.plays().entrySet().stream()
          .anyMatch(e -> model.total(e.getKey()) > Long.MAX_VALUE - e.getValue());
      long fresh = b.plays().keySet().stream().filter(id -> !model.live.containsKey(id)).count();
      if (overflow) {
        assertThrows(CountOverflowException.class, () -> store.add(b.plays(), keyed));
        assertForgotten(keyed);
      } else if (model.held() + fresh > MAX_SONGS) {
        assertThrows(SongLimitException.class, () -> store.add(b.plays(), keyed));
        assertForgotten(keyed);
      } else {
        Map<String, Long> expected = new LinkedHashMap<>();
        b.plays().forEach((id, n) -> expected.put(id, model.total(id) + n));
        b.plays().forEach((id, n) -> model.live.merge(id, n, Long::sum));
        if (keyed != null) {
          StringBuilder body = new StringBuilder();
          expected.forEach((id, n) -> body.append(body.length() == 0 ? "" : ",").append(id)
              .append('=').append(n));
          model.keys.put(b.key(), new Remembered(request.toString(), keyed, 0, body.toString(),
              b.plays().isEmpty()));
        }
        Map<String, Long> answer = store.add(b.plays(), keyed);
        assertEquals(new ArrayList<>(expected.entrySet()), new ArrayList<>(answer.entrySet()),
            "bulk add");
      }
    }

    private void createDrain(CreateDrain c) {
      KeyedRequest keyed = c.key() == null ? null
          : TestKeys.drain(c.key(), false, System.currentTimeMillis());
      if (keyed != null && replayed(c.key(), "drain", keyed)) {
        return;
      }
      if (model.pending.size() >= MAX_DRAINS) {
        assertThrows(TooManyDrainsException.class, () -> store.createDrain(MAX_DRAINS, keyed));
        assertForgotten(keyed);
        return;
      }
      Map<String, Long> expected = new HashMap<>(model.live);
      PendingDrain drain = store.createDrain(MAX_DRAINS, keyed);
      model.live.clear();
      model.pending.put(drain.number(), expected);
      if (keyed != null) {
        model.keys.put(c.key(), new Remembered("drain", keyed, drain.number(), null, false));
      }
      assertEquals(expected, JournalFaultTest.contents(drain.counts()), "pending drain");
    }

    /**
     * Looks the key up as the store does; true when the model remembers it, after checking the
     * store's answer (the first one given, or 422 for another request).
     */
    private boolean replayed(String key, String request, KeyedRequest keyed) {
      Remembered remembered = model.keys.get(key);
      KeyLookup found = store.begin(keyed);
      if (remembered == null) {
        assertEquals(KeyLookup.Found.NEW, found.found(), "key " + key + " is new");
        return false;
      }
      if (!remembered.request().equals(request)) {
        assertEquals(KeyLookup.Found.MISMATCH, found.found(), "key " + key);
        return true;
      }
      assertEquals(KeyLookup.Found.REPLAY, found.found(), "key " + key);
      assertAnswer(remembered, found, key);
      return true;
    }

    private static void assertAnswer(Remembered remembered, KeyLookup found,
        String key) {
      assertEquals(remembered.value(), found.value(), "key " + key + " replays its answer");
      assertEquals(remembered.body(), found.body(), "key " + key + " replays its answer");
    }

    /** A refused keyed change leaves its key free: a retry is a first request. */
    private void assertForgotten(KeyedRequest keyed) {
      if (keyed != null) {
        assertEquals(KeyLookup.Found.NEW, store.begin(keyed).found());
        store.abandon(keyed);
      }
    }

    private void stop(Stop stop) throws IOException {
      Map<String, Long> memory = JournalFaultTest.contents(store);
      Map<Long, Map<String, Long>> pendingInMemory = JournalFaultTest.pending(store);
      assertEquals(model.counts(), memory, "memory before the stop");
      assertEquals(model.pending, pendingInMemory, "pending drains before the stop");
      switch (stop.kind()) {
        case CLEAN -> store.close();
        case NO_SNAPSHOT -> store.closeKeepingJournal();
        case CUT -> model = cut(stop.fraction());
        default -> fail("unknown stop " + stop.kind());
      }
      boolean crashed = stop.kind() != StopKind.CLEAN;
      open();
      assertEquals(model.counts(), JournalFaultTest.contents(store), "reopened after " + stop);
      assertEquals(model.pending, JournalFaultTest.pending(store), "pending after " + stop);
      for (Map.Entry<String, Remembered> entry : new ArrayList<>(model.keys.entrySet())) {
        Remembered remembered = entry.getValue();
        KeyLookup found = store.begin(remembered.keyed());
        if (found.found() == KeyLookup.Found.NEW && remembered.memoryOnly()) {
          store.abandon(remembered.keyed()); // journaled nowhere: a retry answers the same
          model.keys.remove(entry.getKey());
          continue;
        }
        assertEquals(KeyLookup.Found.REPLAY, found.found(), "key " + entry.getKey()
            + " after " + stop + (crashed ? " (a crash)" : ""));
        assertAnswer(remembered, found, entry.getKey());
      }
      states.set(0, new State(store.journal().generation(), store.stats().journalBytes(),
          model.copy()));
    }

    /**
     * Closes leaving the journal as a power loss would: what was forced, and {@code fraction} of
     * the rest of the current file; returns the model of the last whole change kept.
     */
    private Model cut(double fraction) throws IOException {
      Map<Path, Long> forcedBefore = new HashMap<>(faults.forcedSize);
      store.closeKeepingJournal(); // forces the rest, which the power loss then undoes
      // the generation once closed: a compaction may still have switched files while closing,
      // and then every journal before is forced whole, and the new one was never forced before
      long generation = store.journal().generation();
      Path file = DataDirectory.journal(dir, generation);
      long forced = forcedBefore.getOrDefault(file, 0L);
      long size = Files.size(file);
      long at = forced + (long) Math.floor(fraction * (size - forced));
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
        channel.truncate(at);
      }
      Model kept = states.get(0).model();
      for (State state : states) {
        if (state.generation() < generation
            || (state.generation() == generation && state.offset() <= at)) {
          kept = state.model();
        }
      }
      return kept.copy();
    }
  }

  // ---- scratch directories --------------------------------------------------------------------

  /** A directory in memory where there is one, so that thousands of fsyncs cost nothing. */
  private static Path scratch() throws IOException {
    Path shm = Path.of("/dev/shm");
    return Files.isDirectory(shm) && Files.isWritable(shm) ? shm
        : Path.of(System.getProperty("java.io.tmpdir"));
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
