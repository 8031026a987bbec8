package org.playcounter.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.playcounter.store.journal.JournalSettings;
import org.playcounter.store.format.DataDirectory;
import org.playcounter.store.format.FileKind;
import org.playcounter.store.format.RecordEncoder;

class JournalTest {
  @TempDir
  Path dir;

  private final List<String> log = new ArrayList<>();

  @Test
  void everyKindOfChangeSurvivesAReopen() throws IOException {
    PlayCountStore store = open(false, 1 << 20);
    store.increment("1");
    store.increment("1");
    store.add(Map.of("5", 3L, "7", 2L));
    store.remove("7");
    store.increment("gone");
    Drained drained = store.drain();
    assertEquals(3, drained.size());
    store.increment("after");
    store.restore(drained); // an undelivered drain is put back, and journaled so
    store.remove("gone");
    store.close();
    assertEquals(Map.of("1", 2L, "5", 3L, "after", 1L), contents(open(false, 1 << 20)));
  }

  @Test
  void everySuccessfulFsyncIsTimedToTheHook() throws IOException {
    List<Long> fsyncNanos = new CopyOnWriteArrayList<>();
    PlayCountStore store = PlayCountStore.open(StoreOptions.inMemory(1_000_000).withDataDir(dir)
        .withFsync(true, 1000).withJournalMaxBytes(1 << 20).withLog(log::add, fsyncNanos::add));
    store.increment("1");
    store.add(Map.of("2", 3L));
    store.remove("1");
    store.close();
    assertTrue(store.stats().journalFsyncs() >= 3, store.stats().journalFsyncs() + " fsyncs");
    assertEquals(store.stats().journalFsyncs(), fsyncNanos.size());
    assertTrue(fsyncNanos.stream().allMatch(nanos -> nanos > 0), fsyncNanos.toString());
  }

  @Test
  void pendingDrainsSurviveRestartsWithTheirNumbersAndCounts() throws IOException {
    PlayCountStore store = open(false, 1 << 20);
    store.add(Map.of("a", 3L, "b", 2L));
    PendingDrain first = store.createDrain(8);
    store.increment("a");
    PendingDrain second = store.createDrain(8);
    store.add(Map.of("a", 5L, "c", 1L));
    PendingDrain third = store.createDrain(8);
    assertTrue(first.number() < second.number() && second.number() < third.number());
    assertEquals(Map.of("a", 5L, "c", 1L), contents(third.counts()));
    store.increment("a");
    assertEquals(10, store.get("a"), "live and pending");
    assertEquals(1, store.remove("c"), "removed from its drain too");
    assertTrue(store.acknowledge(second.number()));
    assertFalse(store.acknowledge(second.number()), "only once");
    store.closeKeepingJournal(); // recovery replays the journal's drain records
    store = open(false, 1 << 20);
    assertArrayEquals(new long[] {first.number(), third.number()}, store.pendingDrains());
    assertEquals(Map.of("a", 3L, "b", 2L), contents(store.pendingDrain(first.number()).counts()));
    assertEquals(Map.of("a", 5L), contents(store.pendingDrain(third.number()).counts()));
    assertNull(store.pendingDrain(second.number()));
    assertEquals(9, store.get("a"));
    store.close(); // a snapshot with the pending drains in it
    store = open(false, 1 << 20);
    assertArrayEquals(new long[] {first.number(), third.number()}, store.pendingDrains());
    assertEquals(Map.of("a", 3L, "b", 2L), contents(store.pendingDrain(first.number()).counts()));
    assertEquals(Map.of("a", 9L, "b", 2L), contents(store));
    store = open(false, 1 << 20);
    assertTrue(store.acknowledge(first.number()));
    assertTrue(store.acknowledge(third.number()));
    store.close();
    store = open(false, 1 << 20);
    assertTrue(store.createDrain(8).number() > third.number(), "numbers never repeat");
    store.close();
  }

  @Test
  void keysAndTheirAnswersSurviveRestartsThroughTheJournalAndASnapshot() throws IOException {
    long now = System.currentTimeMillis();
    KeyedRequest play = TestKeys.play("k-play", "a", false, now);
    KeyedRequest bulk = TestKeys.bulk("k-bulk", new LinkedHashMap<>(Map.of("a", 2L)), true,
        now);
    KeyedRequest drain = TestKeys.drain("k-drain", false, now);
    KeyedRequest old = TestKeys.play("k-old", "a", false, now - 700_000);
    PlayCountStore store = open(false, 1 << 20);
    for (KeyedRequest key : List.of(play, bulk, drain, old)) {
      assertEquals(KeyLookup.Found.NEW, store.begin(key).found());
    }
    assertEquals(1, store.increment("a", play));
    assertEquals(Map.of("a", 3L), store.add(new LinkedHashMap<>(Map.of("a", 2L)), bulk));
    long number = store.createDrain(8, drain).number();
    assertEquals(4, store.increment("a", old));
    store.closeKeepingJournal(); // the keys come back from the journal's frames
    for (int restart = 0; restart < 2; restart++) {
      store = open(false, 1 << 20);
      KeyLookup found = store.begin(play);
      assertEquals(KeyLookup.Found.REPLAY, found.found());
      assertEquals(1, found.value());
      found = store.begin(bulk);
      assertEquals("a=3", found.body());
      assertEquals(KeyedRequest.BULK | KeyedRequest.JSON, found.kind());
      assertEquals(number, store.begin(drain).value());
      assertEquals(KeyLookup.Found.NEW, store.begin(old).found(), "past its window");
      store.abandon(old);
      assertEquals(KeyLookup.Found.MISMATCH,
          store.begin(TestKeys.play("k-play", "b", false, now)).found());
      store.close(); // then from the snapshot written at close
    }
  }

  @Test
  void theLimitOfPendingDrainsNamesThemAndChangesNothing() throws IOException {
    PlayCountStore store = open(false, 1 << 20);
    store.increment("a");
    long one = store.createDrain(2).number();
    long two = store.createDrain(2).number();
    store.increment("a");
    TooManyDrainsException e = assertThrows(TooManyDrainsException.class,
        () -> store.createDrain(2));
    assertTrue(e.getMessage().contains(one + "," + two), e.getMessage());
    assertEquals(2, store.get("a"));
    assertEquals(0, store.pendingDrain(two).counts().size(), "an empty drain is pending too");
    store.close();
  }

  @Test
  void aDrainIsNeverBroughtBackByARestart() throws IOException {
    PlayCountStore store = open(true, 1 << 20);
    store.add(Map.of("a", 10L, "b", 1L));
    store.drain();
    store.increment("a");
    store.close();
    assertEquals(Map.of("a", 1L), contents(open(true, 1 << 20)));
  }

  @Test
  void tornLastRecordIsDroppedWithAWarning() throws IOException {
    PlayCountStore store = open(true, 1 << 20);
    store.increment("kept");
    store.close();
    Path journal = onlyJournal();
    long size = Files.size(journal);
    Files.write(journal, "+torn 4".getBytes(StandardCharsets.US_ASCII),
        StandardOpenOption.APPEND);
    assertEquals(Map.of("kept", 1L), contents(open(true, 1 << 20)));
    assertTrue(log.stream().anyMatch(line -> line.contains("dropped a torn last record at offset "
        + size)), log.toString());
    assertEquals(size, Files.size(journal));
  }

  @Test
  void zeroFilledTailIsATornRecordToo() throws IOException {
    PlayCountStore store = open(true, 1 << 20);
    store.increment("kept");
    store.close();
    Files.write(onlyJournal(), new byte[4096], StandardOpenOption.APPEND);
    assertEquals(Map.of("kept", 1L), contents(open(true, 1 << 20)));
  }

  @Test
  void damageBeforeTheLastRecordStopsStartUpNamingFileAndOffset() throws IOException {
    PlayCountStore store = open(true, 1 << 20);
    store.increment("first");
    store.increment("second");
    store.increment("third");
    store.closeKeepingJournal();
    Path journal = onlyJournal();
    byte[] bytes = Files.readAllBytes(journal);
    int second = new String(bytes, StandardCharsets.US_ASCII).indexOf("+second");
    bytes[second + 3] = 'X'; // the CRC no longer matches
    Files.write(journal, bytes);
    IOException e = assertThrows(IOException.class, () -> open(true, 1 << 20));
    assertTrue(e.getMessage().contains(journal.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("at byte " + second), e.getMessage());
  }

  @Test
  void unwritableDirectoryFailsAtStartUp() throws IOException {
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    IOException e = assertThrows(IOException.class,
        () -> Stores.open(file.resolve("data"), 1_000_000, true, 1000, 1 << 20,
            log::add));
    assertTrue(e.getMessage().startsWith("data-dir " + file.resolve("data")), e.getMessage());
  }

  @Test
  void secondStoreOnTheSameDirectoryIsRefused() throws IOException {
    PlayCountStore first = open(true, 1 << 20);
    IOException e = assertThrows(IOException.class, () -> open(true, 1 << 20));
    assertTrue(e.getMessage().contains("in use by another playcounter deployment"),
        e.getMessage());
    first.close();
    open(true, 1 << 20).close(); // free again once the first has closed
  }

  @Test
  void compactionWritesASnapshotAndRestartsTheJournal() throws IOException {
    PlayCountStore store = open(false, 4096);
    Map<String, Long> expected = new HashMap<>();
    for (int i = 0; i < 3000; i++) {
      String id = "s" + (i % 200);
      store.increment(id);
      expected.merge(id, 1L, Long::sum);
    }
    store.remove("s7");
    expected.remove("s7");
    store.close();
    assertTrue(Files.exists(dir.resolve(DataDirectory.SNAPSHOT)));
    // what was written while the last snapshot was being written stays in the journal
    assertTrue(Files.size(onlyJournal()) < 3 * 4096, "the journal restarted");
    assertEquals(expected, contents(open(false, 4096)));
  }

  @Test
  void damagedSnapshotStopsStartUp() throws IOException {
    PlayCountStore store = open(false, 4096);
    for (int i = 0; i < 400; i++) {
      store.increment("s" + i);
    }
    store.close();
    Path snapshot = dir.resolve(DataDirectory.SNAPSHOT);
    String text = Files.readString(snapshot).replaceFirst("\ns1 1\n", "\ns1 9\n");
    Files.writeString(snapshot, text);
    IOException e = assertThrows(IOException.class, () -> open(false, 4096));
    assertTrue(e.getMessage().contains(snapshot.toString()), e.getMessage());
  }

  @Test
  void aFullDiskRefusesChangesAndTheJournalGoesOnOnceThereIsSpace() throws IOException {
    Faults faults = new Faults();
    PlayCountStore store = open(faults, false, 4096);
    store.increment("a");
    faults.writeBudget = 0; // No space left on device
    StorageFailedException e = assertThrows(StorageFailedException.class,
        () -> store.increment("a"));
    assertTrue(e.getMessage().contains("nothing was changed"), e.getMessage());
    assertThrows(StorageFailedException.class, () -> store.add(Map.of("b", 2L, "c", 3L)));
    assertThrows(StorageFailedException.class, () -> store.remove("a"));
    assertEquals(Map.of("a", 1L), JournalFaultTest.contents(store));
    faults.disarm(); // space again
    assertEquals(2, store.increment("a"));
    assertNull(store.stats().unavailable());
    store.close();
    assertEquals(Map.of("a", 2L), contents(open(false, 1 << 20)));
  }

  @Test
  void aFailedFsyncStopsTheJournalAndMemoryKeepsWhatTheFileHolds() throws IOException {
    Faults faults = new Faults();
    PlayCountStore store = open(faults, true, 1 << 20);
    store.increment("a");
    faults.failForceAfter = 0;
    StorageFailedException e = assertThrows(StorageFailedException.class,
        () -> store.increment("a"));
    assertTrue(e.getMessage().contains("could not be forced"), e.getMessage());
    assertEquals(2, store.get("a"), "written, so it counts, and the client was told so");
    assertTrue(store.stats().unavailable().startsWith("storage failed"), store.stats().unavailable());
    assertThrows(StorageFailedException.class, () -> store.increment("a"));
    assertEquals(2, store.get("a"));
    store.close();
    assertEquals(Map.of("a", 2L), contents(open(false, 1 << 20)));
  }

  @Test
  void anInterruptedRequestThreadKeepsItsPlayAndTheJournalWorks() throws Exception {
    Faults faults = new Faults();
    PlayCountStore store = open(faults, true, 1 << 20);
    store.increment("a");
    CountDownLatch release = new CountDownLatch(1);
    faults.blockWrite = release;
    AtomicLong count = new AtomicLong();
    AtomicBoolean stillInterrupted = new AtomicBoolean();
    AtomicReference<Throwable> error = new AtomicReference<>();
    Thread request = new Thread(() -> {
      try {
        count.set(store.increment("a"));
        stillInterrupted.set(Thread.currentThread().isInterrupted());
      } catch (Throwable t) {
        error.set(t);
      }
    });
    request.start();
    assertTrue(faults.writeBlocked.await(10, TimeUnit.SECONDS));
    request.interrupt(); // as a container stopping a request thread does
    Thread.sleep(50);
    request.interrupt();
    release.countDown();
    request.join(10_000);
    assertNull(error.get());
    assertEquals(2, count.get());
    assertTrue(stillInterrupted.get(), "the interrupt is kept for the container to see");
    assertNull(store.stats().unavailable());
    assertEquals(3, store.increment("a"));
    store.close();
    assertEquals(Map.of("a", 3L), contents(open(false, 1 << 20)));
  }

  @Test
  void anEmptyBulkAddIsAcknowledgedWithNothingJournaled() throws IOException {
    PlayCountStore store = open(false, 1 << 20);
    long versionLine = store.stats().journalBytes();
    assertEquals(Map.of(), store.add(Map.of()));
    assertEquals(versionLine, store.stats().journalBytes());
    store.close();
  }

  @Test
  void recoveryRefusesATotalPastTheLongRangeNamingFileAndOffset() throws IOException {
    Path journal = writeJournal("x", Long.MAX_VALUE, "y", 1, "x", 1);
    int offset = Files.readString(journal).lastIndexOf("+x");
    IOException e = assertThrows(IOException.class, () -> open(false, 1 << 20));
    assertTrue(e.getMessage().contains("the count of x passes " + Long.MAX_VALUE + " in "
        + journal + " at byte " + offset), e.getMessage());
  }

  @Test
  void recoveryRefusesARemovalOfMorePlaysThanWereRecorded() throws IOException {
    Path journal = writeJournal("x", 5, "x", -6);
    int offset = Files.readString(journal).indexOf("-x");
    IOException e = assertThrows(IOException.class, () -> open(false, 1 << 20));
    assertTrue(e.getMessage().contains("more plays of x removed than recorded in " + journal
        + " at byte " + offset), e.getMessage());
  }

  @Test
  void aPutBackThatSaturatesJournalsWhatItApplied() throws IOException {
    PlayCountStore store = open(false, 1 << 20);
    store.add(Map.of("x", 10L, "y", 4L));
    Drained drained = store.drain();
    store.add(Map.of("x", Long.MAX_VALUE - 5));
    store.restore(drained);
    assertEquals(Long.MAX_VALUE, store.get("x"));
    store.close();
    assertEquals(Map.of("x", Long.MAX_VALUE, "y", 4L), contents(open(false, 1 << 20)));
  }

  @Test
  void closeWaitsForADeliveryInProgressSoItsPutBackIsJournaled() throws Exception {
    PlayCountStore store = open(false, 1 << 20);
    store.add(Map.of("x", 10L, "y", 4L));
    CountDownLatch delivering = new CountDownLatch(1);
    AtomicReference<Throwable> error = new AtomicReference<>();
    Thread request = new Thread(() -> {
      try {
        store.drain(drained -> {
          delivering.countDown();
          Thread.sleep(300); // the client is slow, and the deployment stops meanwhile
          throw new IOException("client gone");
        });
      } catch (Throwable t) {
        error.set(t);
      }
    });
    request.start();
    assertTrue(delivering.await(10, TimeUnit.SECONDS));
    store.close();
    request.join(10_000);
    assertEquals("client gone", error.get().getMessage());
    assertEquals(0, error.get().getSuppressed().length, "the put-back worked");
    assertEquals(Map.of("x", 10L, "y", 4L), contents(open(false, 1 << 20)));
  }

  /** Writes a journal of the given id and delta pairs, each a change of its own. */
  private Path writeJournal(Object... pairs) throws IOException {
    RecordEncoder out = new RecordEncoder(1 << 16);
    out.version(FileKind.JOURNAL);
    for (int i = 0; i < pairs.length; i += 2) {
      out.line((String) pairs[i], ((Number) pairs[i + 1]).longValue());
    }
    Path journal = DataDirectory.journal(dir, 1);
    Files.write(journal, Arrays.copyOf(out.bytes(), out.length()));
    return journal;
  }

  @Test
  void drainLosesNoConcurrentPlayThroughCompactionsAndAReopen() throws Exception {
    PlayCountStore store = open(false, 4096);
    int writers = 4;
    int perWriter = 5_000;
    Map<String, Long> drained = new ConcurrentHashMap<>();
    AtomicBoolean writing = new AtomicBoolean(true);
    Thread drainer = new Thread(() -> {
      while (writing.get()) {
        store.drain().forEach((id, count) -> drained.merge(id, count, Long::sum));
      }
    });
    drainer.start();
    try {
      Concurrently.run(writers, thread -> {
        for (int i = 0; i < perWriter; i++) {
          store.increment("s" + (i % 50));
        }
      });
    } finally {
      writing.set(false);
      drainer.join();
    }
    Map<String, Long> remaining = new HashMap<>();
    store.snapshot((id, count) -> remaining.put(id, count));
    store.close();
    for (int song = 0; song < 50; song++) {
      String id = "s" + song;
      assertEquals(writers * perWriter / 50, drained.getOrDefault(id, 0L)
          + remaining.getOrDefault(id, 0L), id);
    }
    assertEquals(remaining, contents(open(false, 4096)), "the journal agrees with memory");
  }

  @Test
  void keyedPlaysRacingOneStepDrainsReplayTheAnswerGivenAfterACrash() throws Exception {
    PlayCountStore store = open(false, 1L << 30);
    int writers = 3;
    int plays = 20_000;
    long[][] answers = new long[writers][plays];
    long now = System.currentTimeMillis();
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicLong drained = new AtomicLong();
    Concurrently.run(writers + 1, thread -> {
      if (thread == writers) {
        while (writing.get()) {
          drained.addAndGet(store.drain().size());
        }
        return;
      }
      for (int i = 0; i < plays; i++) {
        KeyedRequest key = TestKeys.play(thread + "-" + i, "hot", false, now);
        assertEquals(KeyLookup.Found.NEW, store.begin(key).found());
        answers[thread][i] = store.increment("hot", key);
      }
      if (thread == 0) {
        writing.set(false);
      }
    });
    writing.set(false);
    assertTrue(drained.get() > 0, "the drains ran among the plays");
    store.closeKeepingJournal(); // as a SIGKILL leaves it: no snapshot
    PlayCountStore reopened = open(false, 1L << 30);
    int wrong = 0;
    for (int thread = 0; thread < writers; thread++) {
      for (int i = 0; i < plays; i++) {
        KeyLookup replay = reopened.begin(
            TestKeys.play(thread + "-" + i, "hot", false, now));
        assertEquals(KeyLookup.Found.REPLAY, replay.found());
        wrong += replay.value() == answers[thread][i] ? 0 : 1;
      }
    }
    reopened.close();
    assertEquals(0, wrong, "keys replaying another answer than the one given (on 6e7253a:"
        + " hundreds)");
  }

  @Test
  void aPutBackOntoASongAtTheTopLeavesADirectoryThatOpens() throws IOException {
    PlayCountStore store = open(false, 1 << 20);
    store.add(Map.of("x", 5L, "y", 1L));
    Drained drained = store.drain();
    store.add(Map.of("x", Long.MAX_VALUE));
    store.restore(drained); // x has no room: nothing of it is recorded, y comes back
    assertEquals(Map.of("x", Long.MAX_VALUE, "y", 1L), JournalFaultTest.contents(store));
    store.closeKeepingJournal();
    // on 6e7253a the journal held "+x 0", and recovery refused the directory
    assertEquals(Map.of("x", Long.MAX_VALUE, "y", 1L), contents(open(false, 1 << 20)));
  }

  private PlayCountStore open(Faults faults, boolean always, long journalMaxBytes)
      throws IOException {
    return Stores.open(dir, 1_000_000, new JournalSettings(always, 60_000,
        journalMaxBytes, JournalSettings.WRITE_BUFFER, faults, log::add));
  }

  private PlayCountStore open(boolean always, long journalMaxBytes) throws IOException {
    return Stores.open(dir, 1_000_000, always, 1000, journalMaxBytes, log::add);
  }

  private Path onlyJournal() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> journals = files.filter(p -> p.getFileName().toString().startsWith("journal-"))
          .toList();
      assertEquals(1, journals.size(), journals.toString());
      return journals.get(0);
    }
  }

  private static Map<String, Long> contents(PlayCountStore store) {
    Map<String, Long> counts = new HashMap<>();
    store.snapshot((id, count) -> counts.put(id, count));
    store.close();
    assertFalse(counts.containsValue(0L));
    return counts;
  }

  private static Map<String, Long> contents(Drained drained) {
    Map<String, Long> counts = new HashMap<>();
    drained.forEach((id, count) -> counts.put(id, count));
    return counts;
  }

  /**
   * R1: a put-back where every song is already at Long.MAX_VALUE (live + pending) records
   * nothing, yet PlayCountStore.restore awaits the change: it was never queued, so await()
   * never returns.
   */
  @Test
  void aPutBackWithNoRoomForAnySongReturns() throws Exception {
    PlayCountStore store = Stores.open(dir, 1_000_000, new JournalSettings(false,
        60_000, 1 << 20, JournalSettings.WRITE_BUFFER, new Faults(), line -> { }));
    try {
      store.add(Map.of("x", 5L));
      Drained drained = store.drain();
      store.add(Map.of("x", Long.MAX_VALUE)); // played to the top while the drain was out
      Thread restore = new Thread(() -> store.restore(drained), "review-restore");
      restore.setDaemon(true);
      restore.start();
      restore.join(5_000);
      assertFalse(restore.isAlive(), "restore() still waiting after 5 s for a change that was"
          + " never queued: " + Arrays.toString(restore.getStackTrace()).replace(", ", "\n  "));
    } finally {
      store.closeKeepingJournal();
    }
  }
}
