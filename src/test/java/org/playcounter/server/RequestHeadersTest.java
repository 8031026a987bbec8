package org.playcounter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.playcounter.wire.CountsFormat;

class RequestHeadersTest {
  @ParameterizedTest
  @CsvSource(delimiter = '|', nullValues = "NULL", value = {
      "NULL|TEXT",
      "''|TEXT",
      "*/*|TEXT",
      "text/plain|TEXT",
      "application/json|JSON",
      "APPLICATION/JSON|JSON",
      "application/json; charset=utf-8|JSON",
      "text/*|TEXT",
      "application/*|JSON",
      "application/json, */*|JSON",
      "application/json, text/plain, */*|TEXT",
      "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8|TEXT",
      "text/html, application/json;q=0.9, */*;q=0.1|JSON",
      "text/*, application/json;q=0.5|TEXT",
      "text/plain;q=0.2, application/json;q=0.3|JSON",
      "*/*;q=0.5, text/plain;q=0|JSON",
      "application/json;q=0, */*|TEXT",
      "application/json;q=abc, text/plain;q=0.1|TEXT",
      "image/png|NULL",
      "text/html|NULL",
      "text/plain;q=0, application/json;q=0|NULL",
      "*/*;q=0|NULL",
      "application/json;q=2|NULL",
      "garbage|NULL",
      ",,,|TEXT",
      "','|TEXT",
      "' , '|TEXT",
      "', application/json'|JSON",
      "application/json;q=0x1p-1|NULL",
      "application/json;q=0x1p-1, text/plain;q=0.1|TEXT",
      "application/json;q=0.5000, text/plain;q=0.1|TEXT",
      "application/json;q=1e0, text/plain;q=0.1|TEXT",
      "application/json;q=.5, text/plain;q=0.1|TEXT",
      "application/json;q=1.001, text/plain;q=0.1|TEXT",
      "application/json;q=1.000, text/plain;q=0.999|JSON",
      "text/plain;q=0.001, application/json;q=0.002|JSON",
      "text/plain;Q=0.5, application/json;q=0.51|JSON",
      ";;;,,,/|NULL",
      ";|NULL",
      "text/plain;;q=0.5;|TEXT",
  })
  void choosesByQualityThenSpecificityThenText(String accept, String expected) {
    assertEquals(expected == null ? null : CountsFormat.valueOf(expected),
        RequestHeaders.choose(accept));
  }

  @ParameterizedTest
  @ValueSource(strings = {"application/json", "text/plain", "text/*, application/json;q=0.1"})
  void namedTypesAreExplicit(String accept) {
    assertTrue(RequestHeaders.isExplicit(accept));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "*/*", " */* ", ",", " , */*"})
  void wildcardAndBlankAreNotExplicit(String accept) {
    assertFalse(RequestHeaders.isExplicit(accept));
    assertFalse(RequestHeaders.isExplicit(null));
  }

  @ParameterizedTest
  @ValueSource(strings = {"text/html", "*/json", "application/xml"})
  void rangesMatchingNeitherFormatAreUnacceptable(String accept) {
    assertNull(RequestHeaders.choose(accept));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "return=representation|true",
      "RETURN=Representation|true",
      "return=\"representation\"|true",
      "respond-async, return=representation; x=1|true",
      "return = representation|true",
      "return=minimal|false",
      "wait=10|false",
      "''|false",
  })
  void preferReturnRepresentationIsFoundAmongPreferences(String prefer, boolean expected) {
    assertEquals(expected, RequestHeaders.prefersRepresentation(
        Collections.enumeration(List.of(prefer))));
  }

  @Test
  void absentPreferAsksForNothing() {
    assertFalse(RequestHeaders.prefersRepresentation(Collections.emptyEnumeration()));
    assertFalse(RequestHeaders.prefersRepresentation(null));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', nullValues = "NULL", value = {
      "NULL|TEXT",
      "text/plain|TEXT",
      "text/plain; charset=ISO-8859-1|TEXT",
      "application/x-www-form-urlencoded|TEXT",
      "Application/JSON; charset=utf-8|JSON",
      "application/xml|NULL",
      "multipart/form-data; boundary=x|NULL",
      "text/html|NULL",
  })
  void contentTypeNamesTheBodyFormat(String contentType, String expected) {
    assertEquals(expected == null ? null : CountsFormat.valueOf(expected),
        RequestHeaders.bodyFormat(contentType));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', nullValues = "NULL", value = {
      "NULL|NULL",
      "text/plain|NULL",
      "text/plain; charset=UTF-8|NULL",
      "text/plain;charset=\"utf-8\"|NULL",
      "application/json; charset=US-ASCII|NULL",
      "text/plain; charset=ISO-8859-1|NULL",
      "text/plain;charset=utf-16|charset utf-16 is not supported: send the body in UTF-8",
      "application/json; Charset=UTF-16LE|charset UTF-16LE is not supported: send the body in UTF-8",
      "text/plain; charset=windows-1252|charset windows-1252 is not supported: send the body in UTF-8",
  })
  void bodyCharsetIsUtf8OrAnAsciiSuperset(String contentType, String expected) {
    assertEquals(expected, RequestHeaders.charsetProblem(contentType));
  }
}
