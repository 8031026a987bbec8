package org.playcounter.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile and broken traffic against a deployment with an admin token and tight limits: each
 * request is turned away with a 4xx and changes nothing, and the server keeps answering. Also
 * the song limit, the token and the operator endpoints.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class HardeningSuite {
  private static final String TOKEN = "s3cret-token";
  private static final int MAX_SONGS = 50;
  private static final int MAX_BODY = 4096;
  private static final Pattern STATUS = Pattern.compile("^HTTP/1\\.[01] (\\d{3})");

  private ServletContainer container;
  private URI base;
  private long startedNanos;

  abstract ServletContainer.Kind kind();

  @BeforeAll
  void startContainer() throws IOException {
    container = ServletContainer.start(kind(), Map.of("playcounter.admin-token", TOKEN,
        "playcounter.max-songs", Integer.toString(MAX_SONGS),
        "playcounter.max-body-bytes", Integer.toString(MAX_BODY), "playcounter.openapi", "false"),
        "/");
    base = container.uri("/");
    startedNanos = System.nanoTime();
  }

  @AfterAll
  void stopContainer() {
    if (container != null) {
      container.close();
    }
  }

  @BeforeEach
  void startFromKnownCounts() {
    admin().delete("/").then().statusCode(200);
    request().body("keep=3,other=1").post("/").then().statusCode(200);
  }

  private RequestSpecification request() {
    return given().baseUri(base.toString()).urlEncodingEnabled(false);
  }

  private RequestSpecification admin() {
    return request().header("Authorization", "Bearer " + TOKEN);
  }

  static Stream<Arguments> hostileRequests() {
    String host = "Host: 127.0.0.1\r\n";
    String close = "Connection: close\r\n";
    String longId = "a".repeat(129);
    String hugeId = "a".repeat(20_000);
    List<Arguments> cases = new ArrayList<>();
    // bad and overlong ids, escapes, bytes in the request target
    for (String target : List.of("/song/", "/song/a/b", "/song/" + longId, "/song/" + hugeId,
        "/song/a%20b", "/song/%C3%A9", "/song/a%", "/song/a%zz", "/song/a%2Fb", "/song/a%00b",
        "/song/%2e%2e%2f%2e%2e", "/song/a;b", "/song/..%2F..%2Fetc", "/song/a%0Ab",
        "/song/a%0D%0AX-Injected:%201", "/song/%u0041", "/song/a%%31",
        "/song/" + "%41".repeat(200))) {
      cases.add(Arguments.of("target " + abbreviate(target),
          "POST " + target + " HTTP/1.1\r\n" + host + close + "Content-Length: 0\r\n\r\n"));
    }
    for (String raw : List.of("a\u0000b", "a\u0001b", "a\u007fb", "\u00c3\u00a9", "a\tb")) {
      cases.add(Arguments.of("raw byte in target " + Integer.toHexString(raw.charAt(1)),
          "POST /song/" + raw + " HTTP/1.1\r\n" + host + close + "Content-Length: 0\r\n\r\n"));
    }
    // broken request lines and headers
    cases.add(Arguments.of("garbage request line", "GARBAGE\r\n\r\n"));
    cases.add(Arguments.of("space in target", "POST /song/a b HTTP/1.1\r\n" + host + close
        + "\r\n"));
    cases.add(Arguments.of("HTTP/9.9", "POST /song/1 HTTP/9.9\r\n" + host + close + "\r\n"));
    cases.add(Arguments.of("no Host", "POST /song/1 HTTP/1.1\r\n" + close
        + "Content-Length: 0\r\n\r\n"));
    cases.add(Arguments.of("two Hosts", "POST /song/1 HTTP/1.1\r\n" + host
        + "Host: other\r\n" + close + "Content-Length: 0\r\n\r\n"));
    cases.add(Arguments.of("NUL in a header", "POST /song/1 HTTP/1.1\r\n" + host
        + "X-A: b\u0000c\r\n" + close + "Content-Length: 0\r\n\r\n"));
    // RFC 9112 lets a server unfold obs-fold instead of rejecting it (Tomcat does): either way
    // this removal lacks the token.
    cases.add(Arguments.of("folded header", "DELETE / HTTP/1.1\r\n" + host
        + "X-A: b\r\n c\r\n" + close + "\r\n"));
    cases.add(Arguments.of("space before colon", "POST /song/1 HTTP/1.1\r\n" + host
        + "Content-Length : 0\r\n" + close + "\r\n"));
    cases.add(Arguments.of("100 KB header", "POST /song/1 HTTP/1.1\r\n" + host + "X-Big: "
        + "x".repeat(100_000) + "\r\n" + close + "Content-Length: 0\r\n\r\n"));
    cases.add(Arguments.of("2,000 headers", "POST /song/1 HTTP/1.1\r\n" + host
        + "X-H: 1\r\n".repeat(2_000) + close + "Content-Length: 0\r\n\r\n"));
    // request smuggling and broken framing
    cases.add(Arguments.of("Content-Length and chunked", "POST / HTTP/1.1\r\n" + host + close
        + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nx=1,y\r\n0\r\n\r\n"));
    cases.add(Arguments.of("two Content-Lengths", "POST / HTTP/1.1\r\n" + host + close
        + "Content-Length: 3\r\nContent-Length: 7\r\n\r\nx=1,y=1"));
    cases.add(Arguments.of("negative Content-Length", "POST / HTTP/1.1\r\n" + host + close
        + "Content-Length: -1\r\n\r\nx=1"));
    cases.add(Arguments.of("non-numeric Content-Length", "POST / HTTP/1.1\r\n" + host + close
        + "Content-Length: 3a\r\n\r\nx=1"));
    cases.add(Arguments.of("huge Content-Length", "POST / HTTP/1.1\r\n" + host + close
        + "Content-Length: 99999999999999999999\r\n\r\nx=1"));
    cases.add(Arguments.of("unknown transfer coding", "POST / HTTP/1.1\r\n" + host + close
        + "Transfer-Encoding: xchunked\r\n\r\n3\r\nx=1\r\n0\r\n\r\n"));
    cases.add(Arguments.of("chunked not last", "POST / HTTP/1.1\r\n" + host + close
        + "Transfer-Encoding: chunked, identity\r\n\r\n3\r\nx=1\r\n0\r\n\r\n"));
    cases.add(Arguments.of("bad chunk size", "POST / HTTP/1.1\r\n" + host + close
        + "Transfer-Encoding: chunked\r\n\r\nzz\r\nx=1\r\n0\r\n\r\n"));
    cases.add(Arguments.of("chunk longer than said", "POST / HTTP/1.1\r\n" + host + close
        + "Transfer-Encoding: chunked\r\n\r\n2\r\nx=1\r\n0\r\n\r\n"));
    cases.add(Arguments.of("chunked over the body limit", "POST / HTTP/1.1\r\n" + host + close
        + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(MAX_BODY + 10) + "\r\n"
        + "x=1," + "y".repeat(MAX_BODY + 6) + "\r\n0\r\n\r\n"));
    // methods
    for (String method : List.of("FOO", "post", "PUT", "PATCH", "TRACE", "PROPFIND")) {
      cases.add(Arguments.of("method " + method, method + " /song/keep HTTP/1.1\r\n" + host
          + close + "Content-Length: 0\r\n\r\n"));
    }
    cases.add(Arguments.of("method on /", "PUT / HTTP/1.1\r\n" + host + close
        + "Content-Length: 3\r\n\r\nx=1"));
    // bodies
    for (String[] body : new String[][] {
        {"text/plain", "x=1,x=2"}, {"text/plain", "x=-1"}, {"text/plain", "x=9007199254740993"},
        {"text/plain", "x=1,,y=1"}, {"text/plain", "x"}, {"text/plain", "x=1.0"},
        {"application/json", "{\"x\":1"}, {"application/json", "[1,2]"},
        {"application/json", "{\"x\":{\"y\":1}}"}, {"application/json", "{\"x\":1e400}"},
        {"application/json", "{\"x\":\"1\"}"}, {"application/json", "\"x\""},
        {"application/json", "{\"x\\u0000\":1}"}, {"application/xml", "<x>1</x>"},
        {"multipart/form-data; boundary=b", "--b\r\n\r\nx=1\r\n--b--"},
        {"text/plain", "x=1," + "y".repeat(MAX_BODY)}}) {
      cases.add(Arguments.of("body " + body[0] + " " + abbreviate(body[1]),
          "POST / HTTP/1.1\r\n" + host + close + "Content-Type: " + body[0] + "\r\n"
              + "Content-Length: " + body[1].getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n"
              + body[1]));
    }
    // absurd negotiation and preference headers
    for (String accept : List.of("image/png", "x".repeat(6_000), "application/json;q=abc",
        "text/plain;q=0, */*;q=0", ";;;,,,/")) {
      cases.add(Arguments.of("Accept " + abbreviate(accept), "POST /song/keep HTTP/1.1\r\n"
          + host + close + "Accept: " + accept + "\r\nContent-Length: 0\r\n\r\n"));
    }
    cases.add(Arguments.of("Expect nonsense", "POST /song/keep HTTP/1.1\r\n" + host + close
        + "Expect: 999-nonsense\r\nContent-Length: 3\r\n\r\nx=1"));
    // removals without the right token
    for (String auth : List.of("", "Authorization: Bearer wrong\r\n", "Authorization: Bearer\r\n",
        "Authorization: Basic " + TOKEN + "\r\n", "Authorization: Bearer " + TOKEN + "x\r\n",
        "Authorization: Bearer " + "t".repeat(5_000) + "\r\n")) {
      cases.add(Arguments.of("DELETE / " + abbreviate(auth.trim()), "DELETE / HTTP/1.1\r\n"
          + host + close + auth + "\r\n"));
    }
    cases.add(Arguments.of("drain without token", "DELETE / HTTP/1.1\r\n" + host + close
        + "Prefer: return=representation\r\n\r\n"));
    cases.add(Arguments.of("drain with a 5 KB Prefer", "DELETE / HTTP/1.1\r\n" + host + close
        + "Prefer: " + "return=representation;".repeat(230) + "\r\n\r\n"));
    cases.add(Arguments.of("DELETE song without token", "DELETE /song/keep HTTP/1.1\r\n" + host
        + close + "\r\n"));
    cases.add(Arguments.of("DELETE song with wrong token", "DELETE /song/keep HTTP/1.1\r\n"
        + host + close + "Authorization: Bearer nope\r\n\r\n"));
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostileRequests")
  void hostileRequestIsTurnedAwayAndChangesNothing(String name, String raw) throws IOException {
    Map<String, Long> before = counts();
    String answer = RawHttp.exchange(base, raw);
    if (!answer.isEmpty()) { // an empty answer is a closed connection
      Matcher status = STATUS.matcher(answer);
      assertTrue(status.find(), name + ": not HTTP: " + abbreviate(answer));
      int code = Integer.parseInt(status.group(1));
      assertTrue(code >= 400 && code < 500 || code == 501 || code == 505,
          name + ": " + abbreviate(answer));
      assertFalse(answer.contains("Exception") || answer.contains("\tat "),
          name + " shows a stack trace: " + answer);
      String[] parts = answer.split("\r\n\r\n", 2);
      if (parts[0].contains("Cache-Control: no-store") && parts.length == 2) {
        // playcounter's own answer: one line that says what was wrong
        assertFalse(parts[1].isBlank(), name);
        assertFalse(parts[1].contains("\n"), name + ": " + parts[1]);
      }
    }
    assertEquals(before, counts(), name + " changed the counts");
    request().get("/health").then().statusCode(200).body(equalTo("OK"));
  }

  /**
   * A body that stops arriving (3 of 10 bytes, the connection kept open): the read waits for the
   * container's idle timeout (Jetty 30 s, this Tomcat's connectionTimeout of 20 s, twice), then
   * playcounter answers its one line and closes (Tomcat sets 408), and nothing changes.
   */
  @Test
  void bodyThatStopsArrivingIsRefusedOnceTheContainerGivesUp() throws IOException {
    Map<String, Long> before = counts();
    String answer;
    try (Socket socket = new Socket(base.getHost(), base.getPort())) {
      socket.setSoTimeout(150_000);
      socket.getOutputStream().write(("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Content-Type: text/plain\r\nContent-Length: 10\r\n\r\nc=1")
          .getBytes(StandardCharsets.ISO_8859_1));
      answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }
    // Tomcat answers its own error dispatch of the timed-out read with 408, and playcounter's
    // line again; Jetty lets playcounter's 400 through.
    String status = kind().toString().startsWith("tomcat") ? "408" : "400";
    assertTrue(answer.startsWith("HTTP/1.1 " + status), answer);
    assertTrue(answer.endsWith("\r\n\r\nrequest body ended after 3 bytes of the 10 its"
        + " Content-Length announced; nothing was changed"), answer);
    assertEquals(before, counts());
  }

  /** A deployment that does not describe itself: {@code openapi=false}. */
  @Test
  void openapiSwitchedOffIs404LikeAnyUnknownPath() {
    for (String method : List.of("GET", "HEAD", "OPTIONS", "POST")) {
      request().request(method, "/openapi.json").then().statusCode(404)
          .header("Cache-Control", "no-store").header("Allow", nullValue());
    }
    request().get("/openapi.json").then().contentType(DeploymentSuite.TEXT)
        .body(equalTo("Not Found"));
  }

  @Test
  void newSongBeyondTheLimitIs507WhileHeldSongsKeepCountingAndHealthWarns() {
    StringBuilder body = new StringBuilder();
    for (int i = 2; i < MAX_SONGS; i++) {
      body.append(body.length() == 0 ? "" : ",").append("s").append(i).append("=1");
    }
    request().body(body.toString()).post("/").then().statusCode(200);
    request().post("/song/one-too-many").then().statusCode(507)
        .body(startsWith("song limit reached: this counter holds at most 50 songs"));
    request().body("keep=1,new=1").post("/").then().statusCode(507);
    request().post("/song/keep").then().statusCode(200).body(equalTo("4"));
    request().get("/health").then().statusCode(200)
        .body(startsWith("OK; warning: full: 50 songs held"));
    assertEquals(MAX_SONGS, counts().size());
    admin().delete("/song/s2").then().statusCode(200);
    request().post("/song/one-more").then().statusCode(200).body(equalTo("1"));
  }

  @Test
  void removalsNeedTheTokenAndRemoveNothingWithout() {
    request().delete("/").then().statusCode(401).header("WWW-Authenticate", startsWith("Bearer"));
    request().header("Authorization", "Bearer wrong").delete("/song/keep").then()
        .statusCode(401);
    request().header("Prefer", "return=representation").delete("/").then().statusCode(401);
    assertEquals(Map.of("keep", 3L, "other", 1L), counts());
    admin().delete("/song/keep").then().statusCode(200).body(equalTo("3"));
    request().header("Authorization", "bearer " + TOKEN).header("Prefer",
        "return=representation").delete("/").then().statusCode(200).body(equalTo("other=1"));
    assertEquals(Map.of(), counts());
  }

  @Test
  void everyDrainRequestNeedsTheTokenAndChangesNothingWithout() {
    for (String[] call : new String[][] {{"GET", "/drains"}, {"HEAD", "/drains"},
        {"POST", "/drains"}, {"GET", "/drains/1"}, {"DELETE", "/drains/1"}}) {
      request().request(call[0], call[1]).then().statusCode(401)
          .header("WWW-Authenticate", startsWith("Bearer"));
    }
    assertEquals(Map.of("keep", 3L, "other", 1L), counts());
    String location = admin().post("/drains").then().statusCode(201).extract()
        .header("Location");
    String number = location.substring(location.lastIndexOf('/') + 1);
    request().get("/drains/" + number).then().statusCode(401);
    request().delete("/drains/" + number).then().statusCode(401);
    admin().get("/drains").then().statusCode(200).body(equalTo(number));
    assertEquals(Map.of("keep", 3L, "other", 1L), counts(), "pending, so still counted");
    admin().delete("/drains/" + number).then().statusCode(200).body(equalTo("OK"));
    assertEquals(Map.of(), counts());
  }

  @Test
  void metricsMoveAsTheRequestsSay() {
    Map<String, Long> before = metrics();
    request().post("/song/m");
    request().post("/song/m");
    request().body("m=5,n=1").post("/").then().statusCode(200);
    request().get("/song/a!b").then().statusCode(400);
    request().delete("/").then().statusCode(401);
    admin().header("Prefer", "return=representation").delete("/").then().statusCode(200);
    request().get("/nowhere").then().statusCode(404);
    Map<String, Long> after = metrics();
    assertEquals(8, delta(before, after, "playcounter_plays_total"));
    assertEquals(1, delta(before, after, "playcounter_drains_total"));
    assertEquals(4, delta(before, after, "playcounter_drained_songs_total"));
    assertEquals(0, after.get("playcounter_songs"));
    assertEquals(1, delta(before, after, "playcounter_rejected_total{reason=\"bad_song_id\"}"));
    assertEquals(1, delta(before, after, "playcounter_rejected_total{reason=\"unauthorized\"}"));
    assertEquals(1, delta(before, after, "playcounter_rejected_total{reason=\"not_found\"}"));
    assertEquals(2, delta(before, after,
        "playcounter_requests_total{route=\"song\",status=\"2xx\"}"));
    assertEquals(1, delta(before, after,
        "playcounter_requests_total{route=\"song\",status=\"4xx\"}"));
    assertEquals(2, delta(before, after,
        "playcounter_requests_total{route=\"songs\",status=\"2xx\"}"));
    assertEquals(MAX_SONGS, after.get("playcounter_max_songs"));
    assertEquals(MAX_BODY, after.get("playcounter_max_body_bytes"));
  }

  @Test
  void metricsAreThePrometheusTextFormat() {
    String text = request().get("/metrics").then().statusCode(200)
        .header("Content-Type", matchesPattern("text/plain; ?version=0\\.0\\.4.*")).extract()
        .asString();
    // promtool checks the whole page (MetricsIT); here playcounter's own lines keep their shape.
    for (String line : text.split("\n")) {
      if (line.contains("playcounter_")) {
        assertTrue(line.matches("# (HELP|TYPE) playcounter_\\w+ .+")
            || line.matches("playcounter_\\w+(\\{\\w+=\"[\\w.+-]+\"(,\\w+=\"[\\w.+-]+\")*})?"
                + " \\d+(\\.\\d+)?(E-?\\d+)?"), line);
      }
    }
    assertTrue(text.contains("\njvm_memory_used_bytes{"), text);
    assertTrue(text.endsWith("\n"));
    request().post("/metrics").then().statusCode(405).header("Allow", "GET, HEAD, OPTIONS");
    request().post("/health").then().statusCode(405);
  }

  @Test
  void rejectionsAreLoggedAtMostOncePerMinuteAndNeverShowTheToken() throws IOException {
    for (int i = 0; i < 50; i++) {
      request().get("/song/flood!" + i).then().statusCode(400);
    }
    request().header("Authorization", "Bearer " + TOKEN + "-wrong").delete("/").then()
        .statusCode(401);
    String log = container.log();
    long lines = log.lines().filter(line -> line.contains("as bad_song_id (400)")).count();
    long minutes = (System.nanoTime() - startedNanos) / 60_000_000_000L;
    assertTrue(lines >= 1 && lines <= 1 + minutes,
        lines + " lines in " + minutes + " minutes: one a minute at most:\n" + log);
    assertFalse(log.contains(TOKEN), "the token is in the log");
    assertTrue(log.contains("admin-token=(set, masked)"), log);
  }

  private Map<String, Long> counts() {
    String body = request().get("/").then().statusCode(200).extract().asString();
    Map<String, Long> counts = new HashMap<>();
    if (!body.isEmpty()) {
      for (String pair : body.split(",")) {
        String[] idCount = pair.split("=");
        counts.put(idCount[0], Long.parseLong(idCount[1]));
      }
    }
    return counts;
  }

  private Map<String, Long> metrics() {
    Map<String, Long> values = new HashMap<>();
    request().get("/metrics").asString().lines().filter(line -> line.startsWith("playcounter_"))
        .forEach(line -> {
          int space = line.lastIndexOf(' ');
          values.put(line.substring(0, space),
              (long) Double.parseDouble(line.substring(space + 1)));
        });
    return values;
  }

  private static long delta(Map<String, Long> before, Map<String, Long> after, String name) {
    return after.get(name) - before.get(name);
  }

  private static String abbreviate(String s) {
    String oneLine = s.replace("\r", "\\r").replace("\n", "\\n");
    return oneLine.length() > 60 ? oneLine.substring(0, 60) + "..." : oneLine;
  }
}
