package org.playcounter.http;

import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.response.Response;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * API section 8, counts of many songs at once ({@code GET /?id=1&id=5}), over real HTTP: the
 * order asked, repeats, unknown songs as 0, pending drains counted, the refusals that read and
 * change nothing, HEAD and JSON, and the longest request line the container lets through.
 * Tagged, so that it runs alone: {@code mvn verify -Dtest=NONE
 * -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=Jetty121IT -Dgroups=many-counts}.
 */
@Tag("many-counts")
abstract class ManyCountsSuite extends DeploymentSuite {
  ManyCountsSuite(Supplier<ServletContainer> container, String contextPath) {
    super(container, contextPath);
  }

  @Test
  void countsOfTheSongsAskedInTheOrderAskedWithUnknownSongsAsZero() {
    post("/", "1=3,42=7,other=9");
    expectText(request().get("/?id=1&id=5&id=42"), 200, "1=3,5=0,42=7");
    expectText(request().get("/?id=42&id=5&id=1"), 200, "42=7,5=0,1=3");
    expectText(request().get("/?id=never"), 200, "never=0");
    request().header("Accept", JSON).get("/?id=1&id=5&id=42").then().statusCode(200)
        .contentType(JSON).header("Cache-Control", "no-store")
        .body(equalTo("{\"1\":3,\"5\":0,\"42\":7}"));
    assertEquals(Map.of("1", 3L, "42", 7L, "other", 9L), parse(request().get("/").asString()));
  }

  @Test
  void aRepeatedIdIsAnsweredOnceAtItsFirstPlace() {
    post("/", "a=1,b=2");
    expectText(request().get("/?id=b&id=a&id=b&id=b&id=c&id=a"), 200, "b=2,a=1,c=0");
    expectText(request().get("/?id=a&id=%61"), 200, "a=1");
  }

  @Test
  void withoutAnIdGetListsEverySongAsBefore() {
    post("/", "1=1,5=2");
    for (String target : List.of("/", "/?x=1", "/?ids=1", "/?ID=1", "/?debug", "/?i%64s=1")) {
      Response response = request().get(target);
      response.then().statusCode(200).contentType(textPlain());
      assertEquals(Map.of("1", 1L, "5", 2L), parse(response.asString()), target);
    }
  }

  @Test
  void pendingDrainsAreCountedAsGetOfOneSongCountsThem() {
    post("/", "a=2,b=1");
    Response created = request().post("/drains");
    created.then().statusCode(201);
    String number = created.header("Location").replaceAll(".*/", "");
    request().post("/song/a");
    expectText(request().get("/song/a"), 200, "3");
    expectText(request().get("/?id=a&id=b&id=c"), 200, "a=3,b=1,c=0");
    expectText(request().delete("/drains/" + number), 200, "OK");
    expectText(request().get("/?id=a&id=b"), 200, "a=1,b=0");
  }

  /** Ids that spell the journal's and snapshot's own words are songs like any other. */
  @Test
  void idsThatSpellTheFormatsWordsAreSongsLikeAnyOther() throws IOException {
    post("/", "drain=1,begin=2,key=3,version=4,snapshot=5,id=6,OK=7,~=8,-_.~=9");
    expectText(request().get("/?id=drain&id=begin&id=key&id=version&id=snapshot&id=id&id=OK"
        + "&id=~&id=-_.~&id=end"), 200,
        "drain=1,begin=2,key=3,version=4,snapshot=5,id=6,OK=7,~=8,-_.~=9,end=0");
    expectText(request().get("/?id=%64%72%61%69%6E&%69%64=%7E"), 200, "drain=1,~=8");
    String raw = RawHttp.exchange(root, "GET " + root.getRawPath() + "/?id=id&id=drain HTTP/1.1"
        + "\r\nHost: x\r\nConnection: close\r\n\r\n");
    assertTrue(raw.startsWith("HTTP/1.1 200"), raw);
    assertTrue(raw.endsWith("\r\n\r\nid=6,drain=1"), raw);
  }

  /** Targets a client library would rewrite, sent as bytes: an empty query, a nameless value. */
  @Test
  void anEmptyQueryListsEverySongAndANamelessValueBesideAnIdIsRefused() throws IOException {
    post("/", "1=1");
    String empty = RawHttp.exchange(root, "GET " + root.getRawPath() + "/? HTTP/1.1\r\n"
        + "Host: x\r\nConnection: close\r\n\r\n");
    assertTrue(empty.startsWith("HTTP/1.1 200") && empty.endsWith("\r\n\r\n1=1"), empty);
    String nameless = RawHttp.exchange(root, "GET " + root.getRawPath() + "/?id=1&=2 HTTP/1.1"
        + "\r\nHost: x\r\nConnection: close\r\n\r\n");
    assertTrue(nameless.startsWith("HTTP/1.1 400") && nameless.endsWith("\r\n\r\nquery"
        + " parameter \"\" is not taken with id: GET / takes only id parameters, one a song"),
        nameless);
  }

  /** Every refusal is one line naming the first problem, and reads and changes nothing. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "/?id=                     | id 1 (\"\"): song id is empty",
      "/?id                      | id 1 (\"\"): song id is empty",
      "/?id=1&id=                | id 2 (\"\"): song id is empty",
      "/?id=1&id=a!b&x=1         | id 2 (\"a!b\"): song id contains '!'",
      "/?id=..                   | id 1 (\"..\"): song id '..' is a dot-segment",
      "/?id=%2E%2E               | id 1 (\"%2E%2E\"): song id '..' is a dot-segment",
      "/?id=.                    | id 1 (\".\"): song id '.' is a dot-segment",
      "/?id=a%2Fb                | id 1 (\"a%2Fb\"): song id must be a single path segment",
      "/?id=a+b                  | id 1 (\"a+b\"): song id contains '+'",
      "/?id=a%2Cb                | id 1 (\"a%2Cb\"): song id contains ','",
      "/?id=a%3Db                | id 1 (\"a%3Db\"): song id contains '='",
      "/?id=caf%C3%A9            | id 1 (\"caf%C3%A9\"): song id contains U+00C3",
      "/?id=1&x=2                | query parameter \"x\" is not taken with id",
      "/?debug&id=1              | query parameter \"debug\" is not taken with id"})
  void aBadQueryIs400NamingTheFirstProblemAndChangesNothing(String target, String reason) {
    post("/", "1=1,a=2");
    Response response = request().get(target);
    response.then().statusCode(400).contentType(textPlain()).header("Cache-Control", "no-store");
    String body = response.asString();
    assertTrue(body.startsWith(reason), target + " -> " + body);
    assertFalse(body.contains("\n"), body);
    request().header("Accept", JSON).get(target).then().statusCode(400).contentType(JSON)
        .body(equalTo("{\"error\":" + org.playcounter.wire.Json.quote(body) + "}"));
    request().head(target).then().statusCode(400).body(emptyString());
    assertEquals(Map.of("1", 1L, "a", 2L), parse(request().get("/").asString()));
  }

  @Test
  void aThousandIdsAreAnsweredAndOneMoreIsRefused() {
    post("/", "0=1,999=2");
    StringJoiner query = new StringJoiner("&id=", "/?id=", "");
    StringJoiner expected = new StringJoiner(",");
    for (int i = 0; i < 1_000; i++) {
      query.add(Integer.toString(i));
      expected.add(i + "=" + (i == 0 ? 1 : i == 999 ? 2 : 0));
    }
    expectText(request().get(query.toString()), 200, expected.toString());
    boolean undertow = server() == ServletContainer.Server.WILDFLY;
    Response tooMany = (undertow ? containerRequest() : request()).get(query + "&id=0");
    if (undertow) {
      // Undertow's max-parameters (1000) refuses it before any servlet runs: a bare 400
      tooMany.then().statusCode(400).body(emptyString());
    } else {
      expectText(tooMany, 400, "more than 1000 id parameters: ask for at most 1000 songs a"
          + " request");
    }
    assertEquals(Map.of("0", 1L, "999", 2L), parse(request().get("/").asString()));
  }

  @Test
  void headHasTheHeadersOfGetAndNoBody() {
    post("/", "1=3,42=7");
    Response get = request().get("/?id=1&id=5&id=42");
    request().head("/?id=1&id=5&id=42").then().statusCode(200).contentType(textPlain())
        .header("Cache-Control", "no-store").header("Content-Length", "12")
        .header("Content-Length", get.header("Content-Length")).body(emptyString());
    request().header("Accept", JSON).head("/?id=1").then().statusCode(200).contentType(JSON)
        .header("Content-Length", String.valueOf("{\"1\":3}".length()));
  }

  /** The writes to every song take no id: they would act on other songs than those named. */
  @Test
  void postAndDeleteWithAnIdAre400AndChangeNothing() {
    post("/", "1=1,5=2");
    Response bulk = request().contentType("text/plain").body("1=1").post("/?id=1");
    bulk.then().statusCode(400).contentType(textPlain());
    assertTrue(bulk.asString().startsWith("query parameter \"id\" is taken by GET and HEAD only"),
        bulk.asString());
    request().delete("/?id=5").then().statusCode(400).contentType(textPlain());
    request().header("Prefer", "return=representation").delete("/?id=5").then()
        .statusCode(400);
    expectText(request().get("/?id=1&id=5"), 200, "1=1,5=2");
    request().options("/?id=1").then().statusCode(204).header("Allow", ALLOW);
    expectText(request().delete("/?x=1"), 200, "OK");
    expectText(request().get("/"), 200, "");
  }

  /** Each deployment answers its own counts. */
  @Test
  void theOtherDeploymentAnswersItsOwnCounts() {
    post("/", "1=4");
    io.restassured.RestAssured.given().baseUri(second.toString()).get("/?id=1").then()
        .statusCode(200).body(equalTo("1=0"));
  }

  /**
   * The longest request target the container lets through to playcounter, with a
   * {@code Host} and a {@code Connection} line only, found by bisection and pinned per container
   * ({@link #expectedLongestTarget}); the first byte over it gets the container's own refusal.
   */
  @Test
  void theContainersRequestLineLimitIsAsDocumented() throws IOException {
    int low = 1_024; // accepted everywhere
    int high = 4 * 1024 * 1024; // refused everywhere
    assertTrue(passes(low), "a " + low + "-byte request target was refused");
    assertFalse(passes(high), "a " + high + "-byte request target got through");
    while (high - low > 1) {
      int middle = (low + high) >>> 1;
      if (passes(middle)) {
        low = middle;
      } else {
        high = middle;
      }
    }
    String refusal = RawHttp.exchange(root, probe(high));
    String status = refusal.isEmpty() ? "closed" : refusal.substring(9, 12);
    System.out.println("request line limit: " + container().kind() + " " + contextPath()
        + ": longest request target " + low + " bytes (request line " + (low + 15)
        + " bytes with its CRLF, 38 bytes of headers); " + high + " bytes: " + status);
    assertEquals(expectedLongestTarget(), low + " then " + status);
  }

  /** What {@link #theContainersRequestLineLimitIsAsDocumented} measured, pinned per container. */
  private String expectedLongestTarget() {
    return switch (container().kind()) {
      case JETTY_12_0 -> "8171 then 431";
      case JETTY_12_1 -> "8139 then 431";
      case TOMCAT_10_1, TOMCAT_11 -> "8139 then 400";
      case WILDFLY -> "1048523 then 400";
      case PAYARA_MICRO -> "8139 then 400";
    };
  }

  /**
   * True when a GET of a request target of exactly {@code length} bytes reached playcounter: one
   * parameter that is no id ({@code /?pad=xx..}), which {@code GET /} ignores, so that the
   * request line is all that is measured (WildFly refuses a 1,001st parameter itself).
   */
  private boolean passes(int length) throws IOException {
    return RawHttp.exchange(root, probe(length)).startsWith("HTTP/1.1 200");
  }

  /** A GET of {@code /?pad=xx..}, its request target exactly {@code length} bytes. */
  private String probe(int length) {
    String prefix = root.getRawPath() + "/?pad=";
    return "GET " + prefix + "x".repeat(length - prefix.length()) + " HTTP/1.1\r\nHost: 127.0.0.1"
        + "\r\nConnection: close\r\n\r\n";
  }
}
