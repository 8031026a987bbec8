package org.playcounter.store.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/** The encoder's exact text, and its refusals of misuse. */
final class RecordEncoderTest {
  @Test
  void aRecordIsItsHeaderBodyAndTheCrcOfBoth() {
    RecordEncoder e = new RecordEncoder(64 << 10);
    e.version(FileKind.JOURNAL);
    e.begin(Kind.DRAIN, 2);
    e.arg(7);
    e.key(12, 2, 0xabL, -1L, 0);
    e.body("end", 4);
    e.body("a", 1);
    e.end();
    String header = "begin drain 2 7 key 12 2 00000000000000ab ffffffffffffffff"
        + " 0000000000000000\nend 4\na 1\n";
    CRC32 crc = new CRC32();
    crc.update(header.getBytes(StandardCharsets.US_ASCII));
    assertEquals("playcounter-journal 3\n" + header + String.format("end %08x\n",
        crc.getValue()), new String(e.bytes(), 0, e.length(), StandardCharsets.US_ASCII));
  }

  @Test
  void aKeyRecordWritesTheKeyFieldsWithoutTheWordKey() {
    RecordEncoder e = new RecordEncoder(64 << 10);
    e.begin(Kind.KEY, 0);
    e.key(1, 0, 1, 2, 3);
    e.arg(9);
    e.end();
    String text = new String(e.bytes(), 0, e.length(), StandardCharsets.US_ASCII);
    assertTrue(text.startsWith("begin key 0 1 0 0000000000000001 0000000000000002"
        + " 0000000000000003 9\nend "), text);
  }

  @Test
  void aRecordsCrcRunsAcrossClears() {
    RecordEncoder whole = new RecordEncoder(64 << 10);
    RecordEncoder cleared = new RecordEncoder(64 << 10);
    StringBuilder out = new StringBuilder();
    for (RecordEncoder e : new RecordEncoder[] {whole, cleared}) {
      e.begin(Kind.REMOVES, 3);
      drain(e, e == cleared ? out : null);
      e.body("a", 1);
      drain(e, e == cleared ? out : null);
      e.body("b", 2, 3);
      e.body("c", Long.MAX_VALUE);
      drain(e, e == cleared ? out : null);
      e.end();
    }
    drain(cleared, out);
    assertEquals(new String(whole.bytes(), 0, whole.length(), StandardCharsets.US_ASCII),
        out.toString());
  }

  @Test
  void misuseIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new RecordEncoder(511));
    RecordEncoder e = new RecordEncoder(64 << 10);
    assertThrows(IllegalArgumentException.class, () -> e.line("a", 0));
    assertThrows(IllegalArgumentException.class, () -> e.line("a", Long.MIN_VALUE));
    assertThrows(IllegalStateException.class, () -> e.body("a", 1));
    assertThrows(IllegalStateException.class, e::end);
    e.begin(Kind.LIVE, 1);
    assertThrows(IllegalStateException.class, () -> e.line("a", 1));
    assertThrows(IllegalStateException.class, e::end);
    e.body("a", 1);
    assertThrows(IllegalStateException.class, () -> e.body("b", 1));
    assertThrows(IllegalStateException.class, () -> e.arg(1));
    e.end();
  }

  @Test
  void fullLeavesRoomForTheLongestLine() {
    RecordEncoder e = new RecordEncoder(64 << 10);
    String id = "x".repeat(128);
    e.begin(Kind.REMOVES, Long.MAX_VALUE);
    while (!e.full()) {
      e.body(id, Long.MAX_VALUE, Long.MAX_VALUE);
    }
    e.body(id, Long.MAX_VALUE, Long.MAX_VALUE);
    assertTrue(e.length() <= e.bytes().length);
  }

  private static void drain(RecordEncoder e, StringBuilder out) {
    if (out != null) {
      out.append(new String(e.bytes(), 0, e.length(), StandardCharsets.US_ASCII));
      e.clear();
    }
  }
}
