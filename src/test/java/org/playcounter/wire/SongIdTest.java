package org.playcounter.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SongIdTest {
  @ParameterizedTest
  @ValueSource(strings = {"1", "01", "abc", "ABC", "A-z.0_9~", "USRC17607839",
      "123e4567-e89b-12d3-a456-426614174000", "~", "...", ".a", "a."})
  void unreservedIdsAreValid(String id) {
    assertNull(SongId.problem(id));
    assertEquals(id, SongId.check(id));
  }

  @Test
  void lengthIsOneTo128Characters() {
    assertNull(SongId.problem("x".repeat(128)));
    assertEquals("song id is longer than 128 characters", SongId.problem("x".repeat(129)));
    assertEquals("song id is empty", SongId.problem(""));
    assertEquals("song id is empty", SongId.problem(null));
  }

  @Test
  void reasonNamesTheFirstBadCharacterOnOneAsciiLine() {
    assertEquals("song id contains '!' (allowed: A-Z a-z 0-9 - . _ ~)", SongId.problem("a!b"));
    assertEquals("song id contains U+0000 (allowed: A-Z a-z 0-9 - . _ ~)",
        SongId.problem("a\0"));
    assertEquals("song id contains U+000A (allowed: A-Z a-z 0-9 - . _ ~)",
        SongId.problem("a\nb"));
    assertEquals("song id contains U+00E9 (allowed: A-Z a-z 0-9 - . _ ~)",
        SongId.problem("caf\u00e9"));
    assertEquals("song id must be a single path segment", SongId.problem("a/b"));
  }

  @Test
  void dotSegmentsAreRefusedPlainAndEscaped() {
    assertEquals("song id '.' is a dot-segment, which clients remove from a path before sending",
        SongId.problem("."));
    assertEquals("song id '..' is a dot-segment, which clients remove from a path before sending",
        SongId.problem(".."));
    for (String raw : new String[] {"%2E%2E", "%2e.", ".%2E", "%2E"}) {
      assertThrows(IllegalArgumentException.class, () -> SongId.fromPathSegment(raw), raw);
    }
  }

  @Test
  void percentEscapesDecodeBeforeValidation() {
    assertEquals("1", SongId.fromPathSegment("%31"));
    assertEquals("a-b", SongId.fromPathSegment("a%2db"));
    assertEquals("plain", SongId.fromPathSegment("plain"));
    assertEquals("song id contains ' ' (allowed: A-Z a-z 0-9 - . _ ~)",
        assertThrows(IllegalArgumentException.class, () -> SongId.fromPathSegment("a%20b"))
            .getMessage());
    assertEquals("song id must be a single path segment",
        assertThrows(IllegalArgumentException.class, () -> SongId.fromPathSegment("a%2Fb"))
            .getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"%", "a%", "a%2", "%g0", "%0g", "%%31"})
  void malformedEscapeIsRejected(String raw) {
    assertEquals("song id has a malformed percent-escape",
        assertThrows(IllegalArgumentException.class, () -> SongId.fromPathSegment(raw))
            .getMessage());
  }

  @Test
  void escapedIdOverTheLimitIsRejectedAfterDecoding() {
    assertEquals("x".repeat(128), SongId.fromPathSegment("%78".repeat(128)));
    assertThrows(IllegalArgumentException.class, () -> SongId.fromPathSegment("%78".repeat(129)));
  }
}
