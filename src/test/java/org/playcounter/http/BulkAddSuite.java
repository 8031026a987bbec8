package org.playcounter.http;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import io.restassured.response.Response;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.playcounter.wire.CountsFormat;

/**
 * Bulk {@code POST /}: text and JSON bodies, malformed bodies 400, 413, 415, 409, and a streamed
 * list of a million songs.
 */
abstract class BulkAddSuite extends DeploymentSuite {
  BulkAddSuite(Supplier<ServletContainer> container, String contextPath) {
    super(container, contextPath);
  }

  @Test
  void bulkTextAddsEveryPairAndAnswersNewCounts() {
    request().post("/song/1");
    Response response = post("/", "1=3,5=2");
    response.then().statusCode(200).contentType(textPlain()).body(equalTo("1=4,5=2"));
    expectText(request().get("/song/1"), 200, "4");
    post("/", "").then().statusCode(200).body(equalTo(""));
  }

  @Test
  void bulkJsonAddsEveryPairAndAnswersInJson() {
    request().contentType(JSON).body("{ \"1\" : 3 , \"a\\u0062\":2 }").post("/").then()
        .statusCode(200).contentType(JSON).body(equalTo("{\"1\":3,\"ab\":2}"));
    request().contentType(JSON).header("Accept", "text/plain").body("{\"1\":1}").post("/")
        .then().contentType(textPlain()).body(equalTo("1=4"));
    request().header("Accept", JSON).body("1=1").post("/").then().contentType(JSON)
        .body(equalTo("{\"1\":5}"));
    expectText(request().get("/song/ab"), 200, "2");
    request().contentType(JSON).body("{}").post("/").then().statusCode(200).contentType(JSON)
        .body(equalTo("{}"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"1=3,", ",1=3", "1=3,,5=2", "1", "1=", "=3", "1=0", "1=-1", "1=+1",
      "1=1.5", "1=x", "1=9007199254740993", "1=99999999999999999999", "1=3,1=2", "a b=1",
      "a/b=1", "1=3 ", " 1=3", "1=3;5=2", "1==3", "a%31=1", "..=1", ".=1", "2=1,..=2"})
  void malformedTextBodyIs400NamingThePairAndChangesNothing(String body) {
    request().post("/song/1");
    Response response = post("/", body);
    response.then().statusCode(400).contentType(textPlain());
    assertTrue(response.asString().startsWith("pair "), response.asString());
    assertFalse(response.asString().contains("\n"));
    expectText(request().get("/"), 200, "1=1");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "[]", "{", "{\"1\":3", "{\"1\":3,}", "{\"1\" 3}", "{1:3}",
      "{\"1\":\"3\"}", "{\"1\":3.0}", "{\"1\":3e2}", "{\"1\":-3}", "{\"1\":0}", "{\"1\":null}",
      "{\"1\":true}", "{\"1\":{}}", "{\"1\":3}x", "{\"1\":3,\"1\":4}", "{\"a b\":1}",
      "{\"\":1}", "{\"1\":9007199254740993}", "{'1':3}", "{\"a\\x\":1}", "{\"\\u00e9\":1}",
      "{\"lz\":01}", "{\"..\":1}", "{\".\":1}"})
  void malformedJsonBodyIs400AndChangesNothing(String body) {
    request().post("/song/1");
    Response response = request().contentType(JSON).body(body).post("/");
    // Without an Accept header the answer mirrors the body's format, errors included.
    response.then().statusCode(400).contentType(JSON).body(startsWith("{\"error\":\""));
    assertFalse(response.asString().contains("\n"));
    expectText(request().get("/"), 200, "1=1");
  }

  @Test
  void unknownBodyTypeIs415() {
    request().contentType("application/xml").body("<a/>").post("/").then().statusCode(415);
    expectText(request().get("/"), 200, "");
  }

  @Test
  void bodyDeclaredInAnotherCharsetIs415AndChangesNothing() {
    for (String charset : List.of("utf-16", "UTF-16LE", "windows-1252")) {
      request().contentType("text/plain;charset=" + charset).body("a=1".getBytes(
          StandardCharsets.UTF_16LE)).post("/").then().statusCode(415).contentType(textPlain())
          .body(equalTo("charset " + charset + " is not supported: send the body in UTF-8"));
      request().contentType(JSON + ";charset=" + charset).body("{\"a\":1}").post("/").then()
          .statusCode(415).contentType(JSON);
    }
    expectText(request().get("/"), 200, "");
    request().contentType("text/plain;charset=US-ASCII").body("a=1").post("/").then()
        .statusCode(200).body(equalTo("a=1"));
    request().contentType(JSON + ";charset=utf-8").body("{\"a\":1}").post("/").then()
        .statusCode(200).body(equalTo("{\"a\":2}"));
  }

  /**
   * A body that ends before its {@code Content-Length} (the client half-closes): playcounter's
   * one-line 400 and {@code Connection: close}, nothing changed; or, on Payara Micro, whose
   * Grizzly ends such an exchange itself, a closed connection without an answer.
   */
  @Test
  void bodyShorterThanItsContentLengthIs400AndChangesNothing() throws IOException {
    post("/", "keep=1");
    String answer = RawHttp.exchange(root, "POST " + root.getRawPath() + "/ HTTP/1.1\r\n"
        + "Host: x\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\nb=1");
    if (server() == ServletContainer.Server.PAYARA && answer.isEmpty()) {
      expectText(request().get("/"), 200, "keep=1");
      return;
    }
    assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
    assertTrue(answer.contains("Connection: close"), answer);
    assertTrue(answer.endsWith("\r\n\r\nrequest body ended after 3 bytes of the 10 its"
        + " Content-Length announced; nothing was changed"), answer);
    expectText(request().get("/"), 200, "keep=1");
  }

  /**
   * A bulk add whose counts add up past 2^63-1 (1,100 pairs of 2^53) is answered with its new
   * counts, each song within range, and counted in the metrics without breaking a scrape.
   */
  @Test
  void addWhoseCountsSumPastLongMaxIsAnsweredAndCounted() {
    long max = CountsFormat.MAX_BULK_COUNT;
    StringBuilder body = new StringBuilder();
    Map<String, Long> once = new HashMap<>();
    Map<String, Long> twice = new HashMap<>();
    for (int i = 0; i < 1_100; i++) {
      body.append(i == 0 ? "" : ",").append("big").append(i).append('=').append(max);
      once.put("big" + i, max);
      twice.put("big" + i, 2 * max);
    }
    Response first = post("/", body.toString());
    first.then().statusCode(200).contentType(textPlain());
    assertEquals(once, parse(first.asString()));
    Response second = post("/", body.toString());
    second.then().statusCode(200);
    assertEquals(twice, parse(second.asString()));
    assertEquals(twice, parse(request().get("/").asString()));
    request().get("/metrics").then().statusCode(200)
        .body(containsString("\nplaycounter_plays_total "));
  }

  @Test
  void oversizedBodyIs413AndChangesNothing() throws IOException {
    // The suite's deployment allows 2,000,000 bytes; this is one more.
    String big = "a=1," + "b".repeat(2_000_001 - 4);
    // A client that announces a large body waits for 100 Continue; playcounter answers 413
    // from the Content-Length alone, so the body is never sent.
    String announced = RawHttp.exchange(root, "POST " + root.getRawPath() + "/ HTTP/1.1\r\n"
        + "Host: x\r\nContent-Type: text/plain\r\n"
        + "Content-Length: " + big.length() + "\r\nExpect: 100-continue\r\n\r\n");
    // Tomcat sends its interim 100 Continue before the application runs; skip it.
    announced = announced.replaceFirst("^HTTP/1.1 100[^\r]*\r\n\r\n", "");
    assertTrue(announced.startsWith("HTTP/1.1 413"), announced);
    assertTrue(announced.endsWith("request body is larger than 2000000 bytes"), announced);
    post("/", big.substring(1)).then().statusCode(400); // at the limit it is read and parsed
    String chunked = RawHttp.exchange(root, "POST " + root.getRawPath() + "/ HTTP/1.1\r\n"
        + "Host: x\r\nTransfer-Encoding: chunked\r\n"
        + "Content-Type: text/plain\r\nConnection: close\r\n\r\n"
        + Integer.toHexString(big.length()) + "\r\n" + big + "\r\n0\r\n\r\n");
    assertTrue(chunked.startsWith("HTTP/1.1 413"), chunked);
    expectText(request().get("/"), 200, "");
  }

  @Test
  void overflowingAddIs409AndChangesNothing() throws Exception {
    String max = Long.toString(CountsFormat.MAX_BULK_COUNT);
    post("/", "1=1");
    HttpClient client = HttpClient.newHttpClient(); // one keep-alive connection for 1023 adds
    HttpRequest add = HttpRequest.newBuilder(URI.create(root + "/"))
        .header("Content-Type", "text/plain")
        .POST(HttpRequest.BodyPublishers.ofString("big=" + max)).build();
    for (int i = 0; i < 1023; i++) {
      assertEquals(200, client.send(add, HttpResponse.BodyHandlers.discarding()).statusCode());
    }
    // big now holds 1023 * 2^53 = 2^63 - 2^53; one more 2^53 passes Long.MAX_VALUE.
    post("/", "1=5,big=" + max).then().statusCode(409);
    expectText(request().get("/song/1"), 200, "1");
    expectText(request().get("/song/big"), 200, Long.toString(Long.MAX_VALUE - (1L << 53) + 1));
    post("/", "big=" + ((1L << 53) - 1)).then().statusCode(200)
        .body(equalTo("big=" + Long.MAX_VALUE));
    request().post("/song/big").then().statusCode(409);
    expectText(request().get("/song/big"), 200, Long.toString(Long.MAX_VALUE));
  }

  @Test
  void streamedListOfAMillionSongsParsesBackExactly() {
    int songs = 1_000_000;
    Map<String, Long> expected = new HashMap<>(songs * 2);
    StringBuilder body = new StringBuilder();
    for (int i = 0; i < songs; i++) {
      long count = 1 + (i % 7);
      String id = "s" + i;
      expected.put(id, count);
      body.append(body.length() == 0 ? "" : ",").append(id).append('=').append(count);
      if (body.length() > 1_500_000 || i == songs - 1) {
        post("/", body.toString()).then().statusCode(200);
        body.setLength(0);
      }
    }
    Response all = request().get("/");
    all.then().statusCode(200).header("Content-Length", nullValue());
    assertEquals(expected, parse(all.asString()));
    Response json = request().header("Accept", JSON).get("/");
    assertEquals(expected, parse(CountsFormat.JSON, json.asString()));
  }
}
