package org.playcounter.server;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.hamcrest.Matcher;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.playcounter.store.Concurrently;
import org.playcounter.wire.CountsFormat;
import org.playcounter.wire.MalformedCountsException;

/**
 * The HTTP contract, checked over real HTTP against the built WAR in a real container. The
 * container is started by {@link ContainerConformance} with the WAR deployed twice, at {@code /}
 * and at {@code /playcounter}; this suite runs once against each deployment, and the other one
 * shows that two deployments count independently.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ConformanceSuite {
  static final String TEXT = "text/plain;charset=UTF-8";
  static final String JSON = "application/json";
  private static final String ALLOW = "GET, HEAD, POST, DELETE, OPTIONS";

  private URI root;
  private URI second;

  /** The container this suite runs against, already started. */
  abstract ServletContainer container();

  /** The context path of the deployment under test; the other one is the second deployment. */
  abstract String contextPath();

  private ServletContainer.Server server() {
    return container().kind().server();
  }

  @BeforeAll
  void findDeployments() {
    root = container().uri(contextPath());
    second = container().uri(contextPath().equals("/") ? "/playcounter" : "/");
  }

  @BeforeEach
  void emptyCounters() {
    given().baseUri(root.toString()).delete("/").then().statusCode(200);
    given().baseUri(second.toString()).delete("/").then().statusCode(200);
  }

  private RequestSpecification request() {
    return given().baseUri(root.toString()).urlEncodingEnabled(false);
  }

  private static Matcher<String> textPlain() {
    // Byte for byte on every container (Jetty runs with HttpGenerator.STRICT, see the README).
    return equalTo(TEXT);
  }

  // ---- section 1: the original API, byte for byte ----

  @Test
  void curlSessionOfTheContractReproducesExactly() {
    expectText(request().get("/song/1"), 200, "0");
    expectText(request().post("/song/1"), 200, "1");
    expectText(request().get("/song/1"), 200, "1");
    expectText(request().post("/song/5"), 200, "1");
    expectText(request().post("/song/5"), 200, "2");
    Response all = request().get("/");
    all.then().statusCode(200).contentType(textPlain())
        .body(anyOf(equalTo("1=1,5=2"), equalTo("5=2,1=1")));
    expectText(request().delete("/"), 200, "OK");
    expectText(request().get("/"), 200, "");
    expectText(request().get("/song/5"), 200, "0");
  }

  @Test
  void wrongMethodIs405WithAllow() {
    for (String path : List.of("/", "/song/1")) {
      for (String method : List.of("PUT", "PATCH", "FOO")) {
        request().request(method, path).then().statusCode(405).header("Allow", ALLOW)
            .contentType(textPlain()).body(equalTo("Method Not Allowed"));
      }
    }
    expectText(request().get("/song/1"), 200, "0");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/x", "/song", "/songs/1", "/Song/1", "/error", "/index.html",
      "/WEB-INF/web.xml", "/WEB-INF/", "/META-INF/MANIFEST.MF", "/META-INF/", "/favicon.ico",
      "/WEB-INF/classes/org/playcounter/server/PlayCounterServlet.class"})
  void everyOtherPathIs404WithPlainBody(String path) {
    // WildFly's Undertow answers /WEB-INF/ and /META-INF/ itself, with a one-line HTML 404,
    // before any error page applies.
    if (server() == ServletContainer.Server.WILDFLY && path.matches("/(WEB|META)-INF/.*")) {
      request().get(path).then().statusCode(404).body(not(containsString("Exception")));
      return;
    }
    for (String method : List.of("GET", "POST")) {
      request().request(method, path).then().statusCode(404).contentType(textPlain())
          .body(equalTo("Not Found")).header("Cache-Control", "no-store");
    }
    // Jetty renders error pages for GET, POST and HEAD only: a DELETE of a protected path
    // gets its bare 404. No container page, in any case.
    request().delete(path).then().statusCode(404).body(not(containsString("<")));
  }

  // ---- section 2: song ids ----

  @ParameterizedTest
  @ValueSource(strings = {"/song/", "/song/a/b", "/song/1/", "/song/a%20b", "/song/a+b",
      "/song/%C3%A9", "/song/a;b", "/song/a:b", "/song/a@b", "/song/a!b", "/song/a$b",
      "/song/a'b", "/song/a(b)", "/song/a*b", "/song/%7Ba%7D"})
  void badIdIs400WithOneLineReasonAndChangesNothing(String path) {
    request().post("/song/keep");
    for (String method : List.of("GET", "POST", "DELETE", "HEAD")) {
      Response response = request().request(method, path);
      assertEquals(400, response.statusCode(), method + " " + path);
      if (!method.equals("HEAD")) {
        String reason = response.asString();
        assertFalse(reason.isBlank(), "reason for " + path);
        assertFalse(reason.contains("\n"), "one line: " + reason);
        response.then().contentType(textPlain());
      }
    }
    expectText(request().get("/"), 200, "keep=1");
  }

  /** Targets that a container may reject itself, with its own 400, before playcounter runs. */
  @ParameterizedTest
  @ValueSource(strings = {"/song/a%2", "/song/%g1", "/song/%", "/song/a%2Fb", "/song/a b",
      "/song/a\u0001b", "/song/a%00b", "/song/a%25", "/song/%01", "/song/a%7F", "/song/a%5Cb"})
  void malformedRequestTargetIs400AndChangesNothing(String target) throws IOException {
    request().post("/song/keep");
    String answer = RawHttp.exchange(root, "POST " + root.getRawPath() + target + " HTTP/1.1\r\n"
        + "Host: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    String expected = containerStatusFor(target);
    assertTrue(answer.startsWith("HTTP/1.1 " + expected), target + ": " + answer);
    if (expected.equals("200")) {
      assertTrue(answer.endsWith("\r\n\r\n"), "no body: " + answer);
    }
    expectText(request().get("/"), 200, "keep=1");
  }

  /**
   * The status a container answers a request target it cannot parse with, before playcounter
   * runs: 400 everywhere but on Payara Micro, which answers a space in the target with 505 and
   * a malformed percent-escape with an empty 200 (its CoyoteAdapter logs the decoder's
   * exception as AS-WEB-CORE-00037 and ends the exchange without calling the servlet). Pinned
   * here and listed in the README; nothing is counted in any case.
   */
  private String containerStatusFor(String target) {
    if (server() == ServletContainer.Server.PAYARA) {
      if (target.contains(" ")) {
        return "505";
      }
      if (target.matches(".*%(?![0-9A-Fa-f]{2}).*")) {
        return "200";
      }
    }
    return "400";
  }

  @Test
  void overlongIdIs400ButLongestIdCounts() {
    String longest = "a".repeat(128);
    expectText(request().post("/song/" + longest), 200, "1");
    request().post("/song/" + longest + "b").then().statusCode(400)
        .body(equalTo("song id is longer than 128 characters"));
    expectText(request().get("/"), 200, longest + "=1");
  }

  @Test
  void idsAreCaseSensitiveStrings() {
    request().post("/song/01");
    request().post("/song/abc");
    expectText(request().get("/song/1"), 200, "0");
    expectText(request().get("/song/ABC"), 200, "0");
    expectText(request().get("/song/01"), 200, "1");
  }

  @Test
  void unreservedCharactersAndTheirEscapesNameOneSong() {
    expectText(request().post("/song/A-z.0_9~"), 200, "1");
    expectText(request().post("/song/A%2Dz%2E0%5F9%7E"), 200, "2");
    expectText(request().get("/song/%31"), 200, "0");
    expectText(request().post("/song/%31"), 200, "1");
    expectText(request().get("/song/1"), 200, "1");
  }

  // ---- section 3: HTTP conventions ----

  @Test
  void headHasTheHeadersOfGetAndNoBody() {
    request().post("/song/7");
    Response get = request().get("/song/7");
    Response head = request().head("/song/7");
    head.then().statusCode(200).contentType(textPlain()).header("Cache-Control", "no-store")
        .header("Content-Length", get.header("Content-Length")).body(emptyString());
    request().head("/").then().statusCode(200).header("Content-Length", "3")
        .body(emptyString());
    expectText(request().get("/song/7"), 200, "1");
  }

  @Test
  void optionsIs204WithAllow() {
    for (String path : List.of("/", "/song/1")) {
      request().options(path).then().statusCode(204).header("Allow", ALLOW)
          .header("Cache-Control", "no-store");
    }
    request().options("/song/a!b").then().statusCode(400);
  }

  @Test
  void everyResponseIsNoStoreWithExactLength() {
    request().post("/song/1");
    List<Response> responses = List.of(request().get("/song/1"), request().post("/song/1"),
        request().get("/"), request().get("/nope"), request().put("/"),
        request().get("/song/!"), request().header("Accept", "image/png").get("/"),
        request().delete("/song/1"));
    for (Response response : responses) {
      response.then().header("Cache-Control", "no-store");
      assertEquals(String.valueOf(response.asByteArray().length),
          response.header("Content-Length"), response.statusLine());
    }
  }

  @Test
  void acceptApplicationJsonGivesJson() {
    RequestSpecification json = request().header("Accept", JSON);
    json.get("/song/1").then().statusCode(200).contentType(JSON)
        .body(equalTo("{\"id\":\"1\",\"count\":0}"));
    request().header("Accept", JSON).post("/song/1").then().statusCode(200).contentType(JSON)
        .body(equalTo("{\"id\":\"1\",\"count\":1}"));
    request().post("/song/5");
    request().header("Accept", JSON).get("/").then().statusCode(200).contentType(JSON)
        .body(anyOf(equalTo("{\"1\":1,\"5\":1}"), equalTo("{\"5\":1,\"1\":1}")));
    request().header("Accept", JSON).get("/song/!").then().statusCode(400).contentType(JSON)
        .body(startsWith("{\"error\":\"song id contains '!'"));
    request().header("Accept", "text/html, application/json;q=0.9, */*;q=0.1").get("/song/1")
        .then().contentType(JSON);
    request().header("Accept", "application/*").get("/song/1").then().contentType(JSON);
    request().header("Accept", "text/*, application/json;q=0.5").get("/song/1")
        .then().contentType(textPlain());
  }

  @ParameterizedTest
  @ValueSource(strings = {"image/png", "text/html", "application/xml, text/html;q=0.9",
      "text/plain;q=0, application/json;q=0", "application/json;q=0, text/*;q=0"})
  void unacceptableAcceptIs406AndChangesNothing(String accept) {
    request().header("Accept", accept).post("/song/1").then().statusCode(406)
        .contentType(textPlain());
    request().header("Accept", accept).delete("/").then().statusCode(406);
    request().post("/song/2");
    request().header("Accept", accept).delete("/song/2").then().statusCode(406);
    expectText(request().get("/"), 200, "2=1");
  }

  @Test
  void deleteSongAnswersTheCountItHad() {
    request().post("/song/3");
    request().post("/song/3");
    request().post("/song/4");
    expectText(request().delete("/song/3"), 200, "2");
    expectText(request().delete("/song/3"), 200, "0");
    expectText(request().get("/"), 200, "4=1");
    request().header("Accept", JSON).delete("/song/4").then()
        .body(equalTo("{\"id\":\"4\",\"count\":1}"));
  }

  @Test
  void twoDeploymentsCountIndependently() {
    given().baseUri(second.toString()).post("/song/1").then().body(equalTo("1"));
    given().baseUri(second.toString()).post("/song/1").then().body(equalTo("2"));
    expectText(request().post("/song/1"), 200, "1");
    given().baseUri(second.toString()).get("/").then().body(equalTo("1=2"));
    expectText(request().get("/"), 200, "1=1");
    given().baseUri(second.toString()).get("/nope").then().statusCode(404)
        .body(equalTo("Not Found"));
  }

  /**
   * {@code /health} and {@code /metrics} are playcounter's in every deployment, the root one
   * included: on Payara Micro that takes the recipe in the README (its MicroProfile endpoints
   * moved away), which the container harness applies.
   */
  @Test
  void healthAndMetricsArePlaycountersOwn() {
    expectText(request().get("/health"), 200, "OK");
    request().post("/song/1");
    request().get("/metrics").then().statusCode(200)
        // Tomcat drops the spaces between parameters: text/plain;version=0.0.4;charset=utf-8
        .contentType(matchesPattern("text/plain; ?version=0\\.0\\.4.*"))
        .body(containsString("\nplaycounter_songs 1.0\n"));
  }

  // ---- drain ----

  @Test
  void drainAnswersExactlyTheCountsItRemoved() {
    post("/", "1=3,5=2,x=1");
    Response drained = request().header("Prefer", "return=representation").delete("/");
    drained.then().statusCode(200).contentType(textPlain())
        .header("Preference-Applied", "return=representation");
    assertEquals(Map.of("1", 3L, "5", 2L, "x", 1L), parse(drained.asString()));
    expectText(request().get("/"), 200, "");
    request().header("Prefer", "return=representation").header("Accept", JSON).delete("/")
        .then().statusCode(200).contentType(JSON).body(equalTo("{}"));
    post("/", "7=1");
    request().header("Prefer", "return=minimal").delete("/").then()
        .header("Preference-Applied", nullValue()).body(equalTo("OK"));
    expectText(request().get("/"), 200, "");
  }

  @Test
  void writersBulkAddsDeletesAndDrainsAccountForEveryAcknowledgedPlay() throws Exception {
    int writers = 16;
    Duration runFor = Duration.ofSeconds(3);
    Map<String, AtomicLong> acknowledged = new ConcurrentHashMap<>();
    Map<String, Long> takenOut = new ConcurrentHashMap<>();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(writers + 2);
    try {
      List<Future<?>> work = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        work.add(pool.submit(() -> {
          start.await();
          long end = System.nanoTime() + runFor.toNanos();
          ThreadLocalRandom random = ThreadLocalRandom.current();
          try (RawHttp.KeepAlive connection = new RawHttp.KeepAlive(root)) {
            for (int i = 0; System.nanoTime() < end; i++) {
              if (i % 8 == 0) { // a bulk add over songs the other writers play too
                Map<String, Long> plays = new HashMap<>();
                for (int k = 0; k < 10; k++) {
                  plays.put(songFor(random), 1L + random.nextInt(3));
                }
                StringBuilder body = new StringBuilder();
                plays.forEach((id, n) -> body.append(body.length() == 0 ? "" : ",")
                    .append(id).append('=').append(n));
                assertEquals("200", connection.send("POST", "/",
                    "Content-Type: text/plain\r\n", body.toString())[0]);
                plays.forEach((id, n) ->
                    acknowledged.computeIfAbsent(id, k -> new AtomicLong()).addAndGet(n));
              } else {
                String id = songFor(random);
                assertEquals("200", connection.send("POST", "/song/" + id, "")[0]);
                acknowledged.computeIfAbsent(id, k -> new AtomicLong()).incrementAndGet();
              }
            }
          }
          return null;
        }));
      }
      Future<?> drainer = pool.submit(() -> {
        start.await();
        long end = System.nanoTime() + runFor.toNanos();
        try (RawHttp.KeepAlive connection = new RawHttp.KeepAlive(root)) {
          while (System.nanoTime() < end) {
            String[] response = connection.send("DELETE", "/",
                "Prefer: return=representation\r\n");
            assertEquals("200", response[0]);
            parse(response[1]).forEach((id, count) -> takenOut.merge(id, count, Long::sum));
          }
        }
        return null;
      });
      Future<?> deleter = pool.submit(() -> {
        start.await();
        long end = System.nanoTime() + runFor.toNanos();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        try (RawHttp.KeepAlive connection = new RawHttp.KeepAlive(root)) {
          while (System.nanoTime() < end) {
            String id = songFor(random);
            String[] response = connection.send("DELETE", "/song/" + id, "");
            assertEquals("200", response[0]);
            takenOut.merge(id, Long.parseLong(response[1]), Long::sum);
          }
        }
        return null;
      });
      start.countDown();
      for (Future<?> future : work) {
        future.get(60, TimeUnit.SECONDS);
      }
      drainer.get(60, TimeUnit.SECONDS);
      deleter.get(60, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    Map<String, Long> remaining = parse(request().get("/").asString());
    Set<String> songs = new HashSet<>(acknowledged.keySet());
    songs.addAll(takenOut.keySet());
    songs.addAll(remaining.keySet());
    long total = 0;
    for (String id : songs) {
      long posted = acknowledged.containsKey(id) ? acknowledged.get(id).get() : 0;
      long counted = takenOut.getOrDefault(id, 0L) + remaining.getOrDefault(id, 0L);
      assertEquals(posted, counted, "song " + id);
      total += posted;
    }
    assertTrue(total > 1000, "the writers did little: " + total);
  }

  /** Mostly a few hot songs, so that plays, bulk adds, deletes and drains meet on them. */
  private static String songFor(ThreadLocalRandom random) {
    return random.nextInt(4) > 0 ? "hot" + random.nextInt(3) : "cold" + random.nextInt(2_000);
  }

  // ---- bulk POST / ----

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
      "a/b=1", "1=3 ", " 1=3", "1=3;5=2", "1==3", "a%31=1"})
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
      "{\"\":1}", "{\"1\":9007199254740993}", "{'1':3}", "{\"a\\x\":1}", "{\"\\u00e9\":1}"})
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

  // ---- concurrency ----

  @Test
  void concurrentPostsToOneSongEachSeeTheirOwnCount() throws Exception {
    int threads = 16;
    int perThread = 2_000;
    Set<Long> seen = ConcurrentHashMap.newKeySet();
    Concurrently.run(threads, thread -> {
      try (RawHttp.KeepAlive connection = new RawHttp.KeepAlive(root)) {
        for (int i = 0; i < perThread; i++) {
          String[] response = connection.send("POST", "/song/hot", "");
          assertEquals("200", response[0]);
          assertTrue(seen.add(Long.parseLong(response[1])), "repeated " + response[1]);
        }
      }
    });
    assertEquals(threads * perThread, seen.size());
    expectText(request().get("/song/hot"), 200, Integer.toString(threads * perThread));
  }

  @Test
  void concurrentPostsOverManySongsSumExactly() throws Exception {
    int threads = 32;
    int perThread = 1_000;
    Concurrently.run(threads, thread -> {
      try (RawHttp.KeepAlive connection = new RawHttp.KeepAlive(root)) {
        for (int i = 0; i < perThread; i++) {
          String id = Integer.toString((thread * perThread + i) % 10_000);
          assertEquals("200", connection.send("POST", "/song/" + id, "")[0]);
        }
      }
    });
    Map<String, Long> all = parse(request().get("/").asString());
    assertEquals(10_000, all.size());
    assertEquals(threads * perThread, all.values().stream().mapToLong(Long::longValue).sum());
  }

  // ---- helpers ----

  private Response post(String path, String body) {
    return request().contentType("text/plain").body(body).post(path);
  }

  private static void expectText(Response response, int status, String body) {
    response.then().statusCode(status).contentType(textPlain()).body(equalTo(body))
        .header("Cache-Control", "no-store")
        .header("Content-Length", String.valueOf(body.length()));
  }

  private static Map<String, Long> parse(String text) {
    return parse(CountsFormat.TEXT, text);
  }

  private static Map<String, Long> parse(CountsFormat format, String body) {
    try {
      return format.parse(body, Long.MAX_VALUE);
    } catch (MalformedCountsException e) {
      throw new AssertionError(e.getMessage() + " in " + body.substring(0,
          Math.min(200, body.length())));
    }
  }

}
