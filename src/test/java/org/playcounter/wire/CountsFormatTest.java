package org.playcounter.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CountsFormatTest {
  private static final long MAX = CountsFormat.MAX_BULK_COUNT;

  @Test
  void textParsesPairsInBodyOrder() throws Exception {
    Map<String, Long> counts = CountsFormat.TEXT.parse("5=2,1=3,A-b.c_~=9007199254740992", MAX);
    assertEquals("{5=2, 1=3, A-b.c_~=9007199254740992}", counts.toString());
  }

  @Test
  void emptyBodyAndLoneLineBreakAreNoPairs() throws Exception {
    assertTrue(CountsFormat.TEXT.parse("", MAX).isEmpty());
    assertTrue(CountsFormat.TEXT.parse("\n", MAX).isEmpty());
    assertEquals(Map.of("1", 3L), CountsFormat.TEXT.parse("1=3\r\n", MAX));
    assertTrue(CountsFormat.JSON.parse("{}", MAX).isEmpty());
    assertTrue(CountsFormat.JSON.parse(" \n{ \t}\n", MAX).isEmpty());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "1=3,|pair 2 is empty",
      ",1=3|pair 1 is empty",
      "1=3,,5=2|pair 2 is empty",
      "1|pair 1 (\"1\"): expected id=count",
      "1=|pair 1 (\"1=\"): count must be a whole number from 1 to 9007199254740992",
      "=3|pair 1 (\"=3\"): song id is empty",
      "1=0|pair 1 (\"1=0\"): count must be a whole number from 1 to 9007199254740992",
      "1=-1|pair 1 (\"1=-1\"): count must be a whole number from 1 to 9007199254740992",
      "1=+1|pair 1 (\"1=+1\"): count must be a whole number from 1 to 9007199254740992",
      "1=1.5|pair 1 (\"1=1.5\"): count must be a whole number from 1 to 9007199254740992",
      "1=9007199254740993|pair 1 (\"1=9007199254740993\"): count must be a whole number from 1 to 9007199254740992",
      "1=99999999999999999999|pair 1 (\"1=99999999999999999999\"): count must be a whole number from 1 to 9007199254740992",
      "1=3,1=2|pair 2 (\"1=2\"): song id appears twice",
      "a b=1|pair 1 (\"a b=1\"): song id contains ' ' (allowed: A-Z a-z 0-9 - . _ ~)",
      "1==3|pair 1 (\"1==3\"): count must be a whole number from 1 to 9007199254740992",
      "1=3;5=2|pair 1 (\"1=3;5=2\"): count must be a whole number from 1 to 9007199254740992",
  })
  void malformedTextNamesTheFirstBadPair(String body, String reason) {
    assertEquals(reason, assertThrows(MalformedCountsException.class,
        () -> CountsFormat.TEXT.parse(body, MAX)).getMessage());
  }

  @Test
  void reasonQuotesAtMostFortyCharactersOnOneAsciiLine() {
    String body = "x".repeat(60);
    String reason = assertThrows(MalformedCountsException.class,
        () -> CountsFormat.TEXT.parse(body, MAX)).getMessage();
    assertEquals("pair 1 (\"" + "x".repeat(40) + "...\"): expected id=count", reason);
    String control = assertThrows(MalformedCountsException.class,
        () -> CountsFormat.TEXT.parse("a\u0001=1", MAX)).getMessage();
    assertTrue(control.startsWith("pair 1 (\"a\\u0001=1\"): "), control);
  }

  @Test
  void countsUpToTheGivenMaximum() throws Exception {
    assertEquals(Map.of("a", Long.MAX_VALUE),
        CountsFormat.TEXT.parse("a=" + Long.MAX_VALUE, Long.MAX_VALUE));
    assertThrows(MalformedCountsException.class,
        () -> CountsFormat.TEXT.parse("a=9223372036854775808", Long.MAX_VALUE));
  }

  @Test
  void aListingMayRepeatASongAndTheLaterPairWins() throws Exception {
    assertEquals("{5=2, 1=9}", CountsFormat.TEXT.parseListing("1=3,5=2,1=9").toString());
    assertEquals("{5=2, 1=9}", CountsFormat.JSON.parseListing("{\"1\":3,\"5\":2,\"1\":9}")
        .toString());
    assertEquals(Map.of("big", Long.MAX_VALUE),
        CountsFormat.TEXT.parseListing("big=" + Long.MAX_VALUE));
    assertThrows(MalformedCountsException.class, () -> CountsFormat.TEXT.parseListing("1=3,,"));
    assertThrows(MalformedCountsException.class, () -> CountsFormat.TEXT.parse("1=3,1=9", MAX));
  }

  @Test
  void anAnswerToManyIdsHoldsZerosAndNoRepeat() throws Exception {
    assertEquals(List.of(Map.entry("5", 0L), Map.entry("1", 3L), Map.entry("m", Long.MAX_VALUE)),
        List.copyOf(CountsFormat.TEXT.parseAnswer("5=0,1=3,m=9223372036854775807").entrySet()));
    assertEquals(Map.of("5", 0L, "1", 3L),
        CountsFormat.JSON.parseAnswer("{\"5\":0,\"1\":3}"));
    assertEquals("pair 2 (\"5=1\"): song id appears twice", assertThrows(
        MalformedCountsException.class, () -> CountsFormat.TEXT.parseAnswer("5=0,5=1"))
        .getMessage());
    assertEquals("pair 1 (\"5=-1\"): count must be a whole number from 0 to "
        + Long.MAX_VALUE, assertThrows(MalformedCountsException.class,
            () -> CountsFormat.TEXT.parseAnswer("5=-1")).getMessage());
    assertThrows(MalformedCountsException.class, () -> CountsFormat.JSON.parseAnswer("{\"5\":00}"));
    assertThrows(MalformedCountsException.class, () -> CountsFormat.TEXT.parse("5=0", 10));
  }

  @Test
  void writerStreamsBothFormats() throws IOException {
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("1", 1L);
    counts.put("5", 2L);
    counts.put("big", Long.MAX_VALUE);
    assertEquals("1=1,5=2,big=9223372036854775807", write(CountsFormat.TEXT, counts));
    assertEquals("{\"1\":1,\"5\":2,\"big\":9223372036854775807}",
        write(CountsFormat.JSON, counts));
    assertEquals("", write(CountsFormat.TEXT, Map.of()));
    assertEquals("{}", write(CountsFormat.JSON, Map.of()));
  }

  @Test
  void whatIsWrittenParsesBack() throws Exception {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (int i = 0; i < 1000; i++) {
      counts.put("s" + i + "~" + (i % 3 == 0 ? "-_." : ""), 1L + i * 7919L);
    }
    for (CountsFormat format : CountsFormat.values()) {
      assertEquals(counts, format.parse(write(format, counts), Long.MAX_VALUE));
    }
  }

  private static String write(CountsFormat format, Map<String, Long> counts) throws IOException {
    StringBuilder out = new StringBuilder();
    CountsWriter writer = format.writer(out);
    for (Map.Entry<String, Long> entry : counts.entrySet()) {
      writer.write(entry.getKey(), entry.getValue());
    }
    writer.finish();
    return out.toString();
  }
}
