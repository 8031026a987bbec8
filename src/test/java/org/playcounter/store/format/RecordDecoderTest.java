package org.playcounter.store.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/** The decoder on hand-made files: songs named like the format's words, damage, old versions. */
final class RecordDecoderTest {
  private static final Path FILE = Path.of("data", "journal-000000000007");
  private static final String VERSION = "playcounter-journal 3\n";

  /** A record of {@code text} (header and body lines) closed with its true CRC. */
  private static String record(String text) {
    CRC32 crc = new CRC32();
    crc.update(text.getBytes(StandardCharsets.US_ASCII));
    return text + String.format("end %08x\n", crc.getValue());
  }

  private static List<String> decode(String journal) throws IOException {
    byte[] b = journal.getBytes(StandardCharsets.US_ASCII);
    Events events = new Events();
    int from = RecordDecoder.afterVersion(b, FileKind.JOURNAL, FILE);
    assertEquals(b.length, RecordDecoder.decode(b, from, b.length, FileKind.JOURNAL, FILE,
        events));
    return events.seen;
  }

  @Test
  void aSongNamedEndInsideARecordIsReadAsASong() throws IOException {
    String plays = record("begin plays 2\nend 4\nbegin 12345678\n");
    assertEquals(List.of("begin PLAYS lines=2 @22 a=0 b=0", "line end 4 0",
        "line begin 12345678 0", "end PLAYS"), decode(VERSION + plays));
  }

  @Test
  void aOneSongLineChecksItsCrc() throws IOException {
    RecordEncoder e = new RecordEncoder(64 << 10);
    e.line("song1", -3);
    String line = new String(e.bytes(), 0, e.length(), StandardCharsets.US_ASCII);
    CRC32 crc = new CRC32();
    crc.update("-song1 3".getBytes(StandardCharsets.US_ASCII));
    assertEquals(String.format("-song1 3 %08x\n", crc.getValue()), line);
    assertEquals(List.of("single song1 -3 @22"), decode(VERSION + line));
    byte[] bad = (VERSION + line.replace("-song1 3", "-song1 4")).getBytes(
        StandardCharsets.US_ASCII);
    assertEquals(22, RecordDecoder.decode(bad, 22, bad.length, FileKind.JOURNAL, FILE,
        new Events()));
  }

  @Test
  void anUnknownKindWithAMatchingCrcIsDamageNamingTheKindFileAndOffset() {
    String journal = VERSION + record("begin plays 0\n") + record("begin bogus 0\n");
    IOException damage = assertThrows(IOException.class, () -> decode(journal));
    assertTrue(damage.getMessage().contains("'bogus'"), damage.getMessage());
    assertTrue(damage.getMessage().contains(FILE.toString()), damage.getMessage());
    assertTrue(damage.getMessage().contains("at byte 49"), damage.getMessage());
  }

  @Test
  void snapshotKindsInAJournalAreDamage() {
    for (String text : List.of("begin live 1\nsong 1\n", "begin snapshot 0 3 1\n",
        "begin pending 0 1\n", "begin key 0 1 1 0000000000000001 0000000000000002"
            + " 0000000000000003 4\n")) {
      IOException damage = assertThrows(IOException.class, () -> decode(VERSION + record(text)));
      assertTrue(damage.getMessage().startsWith("playcounter data is damaged"), text);
    }
  }

  @Test
  void aLineWrongForItsKindIsDamageAtThatLine() {
    IOException damage = assertThrows(IOException.class,
        () -> decode(VERSION + record("begin drain 1 5\nsong 1 2\n")));
    assertTrue(damage.getMessage().contains("at byte 38"), damage.getMessage());
    assertThrows(IOException.class, () -> decode(VERSION + record("begin ack 1 5\nsong 1\n")));
    assertThrows(IOException.class, () -> decode(VERSION + record("begin plays 0 5\n")));
    assertThrows(IOException.class, () -> decode(VERSION + record("begin ack 0 0\n")));
    assertThrows(IOException.class, () -> decode(VERSION + record("begin plays 1\nsong 0\n")));
    assertThrows(IOException.class, () -> decode(VERSION + record("begin plays 1\nso ng 1\n")));
  }

  @Test
  void aKeyedPlaysAndADrainReadTheirKeys() throws IOException {
    String key = " key 1764633600000 4 00000000000000ff 0000000000000001 fedcba9876543210";
    assertEquals(List.of("begin PLAYS lines=1 @22 a=0 b=0 key 1764633600000 4 255 1 "
        + 0xfedcba9876543210L, "line s 2 7", "end PLAYS"),
        decode(VERSION + record("begin plays 1" + key + "\ns 2 7\n")));
    assertEquals(List.of("begin DRAIN lines=0 @22 a=9 b=0 key 1764633600000 4 255 1 "
        + 0xfedcba9876543210L, "end DRAIN"), decode(VERSION + record("begin drain 0 9" + key
        + "\n")));
  }

  @Test
  void aTornRecordStopsTheDecodingAtItsStartAndItsExtentIsTheFileEnd() throws IOException {
    String whole = record("begin removes 2\na 1\nb 2 3\n");
    byte[] b = (VERSION + whole + "begin plays 3\nx 1\n").getBytes(StandardCharsets.US_ASCII);
    Events events = new Events();
    int stop = RecordDecoder.decode(b, 22, b.length, FileKind.JOURNAL, FILE, events);
    assertEquals(22 + whole.length(), stop);
    assertEquals(4, events.seen.size());
    assertEquals(b.length, RecordDecoder.extent(b, stop, b.length));
  }

  @Test
  void theExtentOfARecordWithABadCrcIsPastItsEndLine() {
    String bad = "begin plays 1\nend 1\nend 00000000\n";
    byte[] b = (VERSION + bad + "+a 1 00000000\n").getBytes(StandardCharsets.US_ASCII);
    assertEquals(22 + bad.length(), RecordDecoder.extent(b, 22, b.length));
    assertEquals(b.length, RecordDecoder.extent(b, 22 + bad.length(), b.length));
  }

  @Test
  void versionThreeIsAcceptedAndEmptyOrPrefixFilesHoldNoRecords() throws IOException {
    assertEquals(22, RecordDecoder.afterVersion(ascii(VERSION), FileKind.JOURNAL, FILE));
    assertEquals(-1, RecordDecoder.afterVersion(new byte[0], FileKind.JOURNAL, FILE));
    assertEquals(-1, RecordDecoder.afterVersion(ascii("playcounter-jour"), FileKind.JOURNAL,
        FILE));
    assertEquals(-1, RecordDecoder.afterVersion(ascii("playcounter-journal 3"),
        FileKind.JOURNAL, FILE));
    assertEquals(23, RecordDecoder.afterVersion(ascii("playcounter-snapshot 3\n"),
        FileKind.SNAPSHOT, FILE));
  }

  @Test
  void otherVersionsAreRefusedNamingThem() {
    IOException snapshot = assertThrows(IOException.class, () -> RecordDecoder.afterVersion(
        ascii("playcounter-snapshot 2 covers-journal 4 next-drain 1\n"), FileKind.SNAPSHOT,
        FILE));
    assertTrue(snapshot.getMessage().contains("snapshot of format version 2;"),
        snapshot.getMessage());
    IOException journal = assertThrows(IOException.class, () -> RecordDecoder.afterVersion(
        ascii("playcounter-journal 4\n"), FileKind.JOURNAL, FILE));
    assertTrue(journal.getMessage().contains("journal of format version 4;"),
        journal.getMessage());
    IOException old = assertThrows(IOException.class, () -> RecordDecoder.afterVersion(
        ascii("+a 1 12345678\n"), FileKind.JOURNAL, FILE));
    assertTrue(old.getMessage().contains("format version 2 or older"), old.getMessage());
    assertTrue(old.getMessage().contains("refuses to start"), old.getMessage());
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
