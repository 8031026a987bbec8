package org.playcounter.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonTest {
  private static final long MAX = CountsFormat.MAX_BULK_COUNT;

  @Test
  void quoteEscapesEverythingOutsidePrintableAscii() {
    assertEquals("\"plain\"", Json.quote("plain"));
    assertEquals("\"a\\\"b\\\\c\"", Json.quote("a\"b\\c"));
    assertEquals("\"\\n\\r\\t\\b\\f\"", Json.quote("\n\r\t\b\f"));
    assertEquals("\"\\u0000\\u001f\\u007f\"", Json.quote("\u0000\u001f\u007f"));
    assertEquals("\"caf\\u00e9 \\u20ac \\ud83c\\udfb5\"", Json.quote("caf\u00e9 \u20ac \ud83c\udfb5"));
    assertEquals("\"/\"", Json.quote("/"));
  }

  @Test
  void parsesAnObjectWithWhitespaceAndEscapedKeys() throws Exception {
    assertEquals(Map.of("1", 3L, "ab", 2L),
        Json.parseCounts(" {\n \"1\" : 3 ,\t\"a\\u0062\":2 } ", MAX, false));
  }

  @Test
  void escapedKeysStillFollowTheIdRules() {
    assertEquals("pair 1 (\"a/b\"): song id must be a single path segment",
        assertThrows(MalformedCountsException.class,
            () -> Json.parseCounts("{\"a\\/b\":1}", MAX, false)).getMessage());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "''|malformed JSON at offset 0: expected a JSON object, found the end",
      "[]|malformed JSON at offset 0: expected a JSON object, found '['",
      "{|malformed JSON at offset 1: expected a string key for pair 1, found the end",
      "{\"1\":3|malformed JSON at offset 6: expected ',' or '}' after pair 1, found the end",
      "{\"1\":3,}|malformed JSON at offset 7: expected a string key for pair 2, found '}'",
      "{\"1\" 3}|malformed JSON at offset 5: expected ':' after the key of pair 1, found '3'",
      "{1:3}|malformed JSON at offset 1: expected a string key for pair 1, found '1'",
      "{\"1\":\"3\"}|pair 1 (\"1\"): count must be a whole number from 1 to 9007199254740992",
      "{\"1\":3.0}|pair 1 (\"1\"): count must be a whole number from 1 to 9007199254740992",
      "{\"1\":3e2}|pair 1 (\"1\"): count must be a whole number from 1 to 9007199254740992",
      "{\"1\":-3}|pair 1 (\"1\"): count must be a whole number from 1 to 9007199254740992",
      "{\"1\":0}|pair 1 (\"1\"): count must be a whole number from 1 to 9007199254740992",
      "{\"lz\":01}|pair 1 (\"lz\"): a JSON number has no leading zero",
      "{\"lz\":007}|pair 1 (\"lz\"): a JSON number has no leading zero",
      "{\"1\":0.5}|pair 1 (\"1\"): count must be a whole number from 1 to 9007199254740992",
      "{\"1\":null}|pair 1 (\"1\"): count must be a whole number from 1 to 9007199254740992",
      "{\"1\":true}|pair 1 (\"1\"): count must be a whole number from 1 to 9007199254740992",
      "{\"1\":{}}|pair 1 (\"1\"): count must be a whole number from 1 to 9007199254740992",
      "{\"1\":x}|malformed JSON at offset 5: expected a number, found 'x'",
      "{\"1\":3}x|malformed JSON at offset 7: expected the end of the body after the object, found 'x'",
      "{\"1\":3,\"1\":4}|pair 2 (\"1\"): song id appears twice",
      "{\"a b\":1}|pair 1 (\"a b\"): song id contains ' ' (allowed: A-Z a-z 0-9 - . _ ~)",
      "{\"\":1}|pair 1 (\"\"): song id is empty",
      "{'1':3}|malformed JSON at offset 1: expected a string key for pair 1, found '''",
      "{\"a\\x\":1}|malformed JSON at offset 4: expected a valid escape after '\\', found 'x'",
      "{\"a\\u00\":1}|malformed JSON at offset 7: expected four hex digits after \\u, found '\"'",
      "{\"a|malformed JSON at offset 3: expected a closing '\"', found the end",
  })
  void malformedJsonNamesWhereItBreaks(String body, String reason) {
    assertEquals(reason, assertThrows(MalformedCountsException.class,
        () -> Json.parseCounts(body, MAX, false)).getMessage());
  }

  @Test
  void controlCharacterInsideAKeyIsRejected() {
    assertEquals("malformed JSON at offset 3: expected no control character inside a string, "
        + "found U+000A", assertThrows(MalformedCountsException.class,
            () -> Json.parseCounts("{\"a\nb\":1}", MAX, false)).getMessage());
  }
}
