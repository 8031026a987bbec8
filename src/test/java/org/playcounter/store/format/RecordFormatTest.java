package org.playcounter.store.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.playcounter.store.format.Journals.Encoded;
import org.playcounter.store.format.Journals.Entry;

/**
 * Properties of the grammar as encoder and decoder keep it: every record of every kind comes back
 * as it was written, every cut of a journal decodes to a prefix of it, and every byte flipped is
 * caught rather than read as something else.
 */
final class RecordFormatTest {
  private static final Path FILE = Path.of("journal-000000000001");

  @Property(tries = 300)
  void everyJournalRecordComesBackAsItWasWritten(
      @ForAll("journals") List<Entry> entries, @ForAll @IntRange(min = 1, max = 40) int clear)
      throws IOException {
    Encoded journal = Journals.encode(FileKind.JOURNAL, entries, clear);
    Events events = new Events();
    byte[] b = journal.bytes;
    int from = RecordDecoder.afterVersion(b, FileKind.JOURNAL, FILE);
    assertEquals(b.length, RecordDecoder.decode(b, from, b.length, FileKind.JOURNAL, FILE,
        events));
    assertEquals(journal.eventsOf(entries.size()), events.seen);
  }

  @Property(tries = 200)
  void everySnapshotRecordComesBackAsItWasWritten(
      @ForAll("snapshots") List<Entry> entries, @ForAll @IntRange(min = 1, max = 40) int clear)
      throws IOException {
    Encoded snapshot = Journals.encode(FileKind.SNAPSHOT, entries, clear);
    Events events = new Events();
    byte[] b = snapshot.bytes;
    int from = RecordDecoder.afterVersion(b, FileKind.SNAPSHOT, FILE);
    assertEquals(b.length, RecordDecoder.decode(b, from, b.length, FileKind.SNAPSHOT, FILE,
        events));
    assertEquals(snapshot.eventsOf(entries.size()), events.seen);
  }

  @Property(tries = 30)
  void everyCutOfAJournalDecodesToAPrefixAndNamesTheRecordCut(
      @ForAll("journals") List<Entry> entries) throws IOException {
    Encoded journal = Journals.encode(FileKind.JOURNAL, entries, 7);
    int version = FileKind.JOURNAL.versionLine().length;
    for (int cut = 0; cut <= journal.bytes.length; cut++) {
      byte[] b = Arrays.copyOf(journal.bytes, cut);
      int from = RecordDecoder.afterVersion(b, FileKind.JOURNAL, FILE);
      if (cut < version) {
        assertEquals(-1, from, "a cut at " + cut + " of the version line");
        continue;
      }
      int whole = 0;
      while (whole < entries.size() && journal.ends.get(whole) <= cut) {
        whole++;
      }
      Events events = new Events();
      int stop = RecordDecoder.decode(b, from, cut, FileKind.JOURNAL, FILE, events);
      int expected = whole == 0 ? version : journal.ends.get(whole - 1);
      assertEquals(whole == entries.size() ? cut : expected, stop, "the cut at " + cut);
      assertEquals(journal.eventsOf(whole), events.seen, "the cut at " + cut);
      if (stop < cut) {
        assertEquals(cut, RecordDecoder.extent(b, stop, cut), "the extent at the cut " + cut);
      }
    }
  }

  @Property(tries = 20)
  void everyByteFlippedIsCaughtNeverReadAsSomethingElse(
      @ForAll("journals") List<Entry> entries, @ForAll("flips") int random) throws IOException {
    Encoded journal = Journals.encode(FileKind.JOURNAL, entries, 5);
    int version = FileKind.JOURNAL.versionLine().length;
    int[] masks = {0x01, 0x02, 0x04, 0x10, 0x20, 0x40, 0x80, 0xff, random};
    int entry = 0;
    for (int at = version; at < journal.bytes.length; at++) {
      while (journal.ends.get(entry) <= at) {
        entry++;
      }
      for (int mask : masks) {
        byte[] b = journal.bytes.clone();
        b[at] ^= (byte) mask;
        Events events = new Events();
        int stop;
        try {
          stop = RecordDecoder.decode(b, version, b.length, FileKind.JOURNAL, FILE, events);
        } catch (IOException damage) {
          assertTrue(damage.getMessage().contains("playcounter data is damaged"),
              damage::getMessage);
          continue;
        }
        int whole = journal.starts.indexOf(stop);
        String where = "byte " + at + " ^ " + mask;
        assertTrue(whole >= 0 && whole <= entry, "stopped at " + stop + " for " + where);
        assertEquals(journal.eventsOf(whole), events.seen, where);
      }
    }
  }

  @Provide
  Arbitrary<List<Entry>> journals() {
    return Journals.journalEntries().list().ofMinSize(1).ofMaxSize(10);
  }

  @Provide
  Arbitrary<List<Entry>> snapshots() {
    return Journals.snapshotEntries().list().ofMaxSize(10);
  }

  @Provide
  Arbitrary<Integer> flips() {
    return Arbitraries.integers().between(1, 255);
  }
}
