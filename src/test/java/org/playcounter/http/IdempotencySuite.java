package org.playcounter.http;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.response.Response;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * API section 7, idempotent writes, over real HTTP against the built WAR in a real container:
 * replay, 422, 409, malformed keys, the window and the limit. The container runs with a window
 * of {@value #WINDOW_MS} ms, a limit of {@value #MAX_KEYS} keys and of {@value #MAX_ANSWER_BYTES}
 * bytes of remembered answers ({@link ContainerConformance}).
 */
abstract class IdempotencySuite extends DeploymentSuite {
  IdempotencySuite(Supplier<ServletContainer> container, String contextPath) {
    super(container, contextPath);
  }

  static final long WINDOW_MS = 1_500;
  static final long MAX_KEYS = 100;
  static final long MAX_ANSWER_BYTES = 64 * 1024;
  private static final String KEY = "Idempotency-Key";
  private static final String REPLAYED = "Idempotent-Replayed";

  private static String fresh() {
    return UUID.randomUUID().toString();
  }

  @Test
  void aRepeatOfAPlayGetsTheSameAnswerAndCountsOnce() {
    String key = fresh();
    request().header(KEY, key).post("/song/k").then().statusCode(200).body(equalTo("1"))
        .header(REPLAYED, nullValue());
    request().post("/song/k");
    request().header(KEY, key).post("/song/k").then().statusCode(200).body(equalTo("1"))
        .header(REPLAYED, "true").header("Cache-Control", "no-store");
    request().header(KEY, "\"" + key + "\"").post("/song/k").then().body(equalTo("1"))
        .header(REPLAYED, "true"); // the structured-field string of the same characters
    request().get("/song/k").then().body(equalTo("2"));
  }

  @Test
  void theRepeatIsTheFirstAnswerInTheFirstFormat() {
    String key = fresh();
    request().header(KEY, key).header("Accept", "application/json").post("/song/j").then()
        .contentType("application/json").body(equalTo("{\"id\":\"j\",\"count\":1}"));
    request().header(KEY, key).post("/song/j").then().statusCode(200)
        .contentType("application/json").body(equalTo("{\"id\":\"j\",\"count\":1}"))
        .header(REPLAYED, "true");
  }

  @Test
  void aRepeatOfABulkAddGetsItsCountsAndAddsNothing() {
    String key = fresh();
    Response first = request().header(KEY, key).contentType("text/plain").body("a=2,b=3")
        .post("/");
    first.then().statusCode(200);
    request().header(KEY, key).contentType("text/plain").body("a=2,b=3").post("/").then()
        .statusCode(200).header(REPLAYED, "true").body(equalTo(first.asString()));
    request().get("/song/a").then().body(equalTo("2"));
    request().header(KEY, key).contentType("text/plain").body("a=2,b=4").post("/").then()
        .statusCode(422).body(containsString("another request"));
    request().get("/song/b").then().body(equalTo("3"));
  }

  @Test
  void theSameKeyOnAnotherRequestIs422AndChangesNothing() {
    String key = fresh();
    request().header(KEY, key).post("/song/x").then().statusCode(200);
    request().header(KEY, key).post("/song/y").then().statusCode(422)
        .contentType("text/plain;charset=UTF-8").body(containsString("Idempotency-Key"));
    request().header(KEY, key).post("/drains").then().statusCode(422);
    request().get("/song/y").then().body(equalTo("0"));
    request().get("/drains").then().body(equalTo(""));
  }

  @Test
  void aRepeatOfADrainAnswersThatDrainAgain() {
    request().contentType("text/plain").body("d=4").post("/");
    String key = fresh();
    Response first = request().header(KEY, key).post("/drains");
    first.then().statusCode(201);
    request().post("/song/late");
    Response again = request().header(KEY, key).post("/drains");
    again.then().statusCode(201).header(REPLAYED, "true")
        .header("Location", first.header("Location")).body(equalTo("d=4"));
    request().get("/drains").then().body(equalTo(first.header("Location")
        .substring(first.header("Location").lastIndexOf('/') + 1)));
    request().delete(first.header("Location")).then().statusCode(200); // deployed at /
    request().header(KEY, key).post("/drains").then().statusCode(404).header(REPLAYED, "true")
        .body(containsString("not pending any more"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "\"\"", "\"unterminated", "\"a\"b", "\"bad\\escape\"",
      "\u00e9t\u00e9"})
  void aMalformedKeyIs400AndChangesNothing(String key) {
    // Payara's Grizzly refuses bytes past ASCII itself, with a bare 400.
    boolean grizzly = server() == ServletContainer.Server.PAYARA
        && !key.chars().allMatch(c -> c < 0x80);
    Response refused = (grizzly ? containerRequest() : request()).header(KEY, key)
        .post("/song/m");
    refused.then().statusCode(400);
    if (!grizzly) {
      assertTrue(refused.asString().contains("Idempotency-Key"), refused.asString());
    }
    (grizzly ? containerRequest() : request()).header(KEY, key).contentType("text/plain")
        .body("m=1").post("/").then().statusCode(400);
    request().get("/song/m").then().body(equalTo("0"));
  }

  @Test
  void aKeyOfMoreThan255CharactersIs400ButOf255Counts() {
    request().header(KEY, "k".repeat(256)).post("/song/long").then().statusCode(400);
    request().header(KEY, "k".repeat(255)).post("/song/long").then()
        .statusCode(200);
    request().header(KEY, "k".repeat(255)).post("/song/long").then().header(REPLAYED, "true");
  }

  /** The same keyed write on 8 connections at once: counted once, each answer the first's. */
  @Test
  void concurrentRepeatsCountOnceAndAreReplayedOrToldToWait() throws Exception {
    for (int round = 0; round < 5; round++) {
      String key = fresh();
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<Response>> answers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
          answers.add(pool.submit(() -> request().header(KEY, key).post("/song/c")));
        }
        int firsts = 0;
        for (Future<Response> answer : answers) {
          Response response = answer.get(30, TimeUnit.SECONDS);
          if (response.statusCode() == 409) {
            assertEquals("1", response.header("Retry-After"), "409 says when to retry");
          } else {
            assertEquals(200, response.statusCode());
            assertEquals(Integer.toString(round + 1), response.asString());
            firsts += response.header(REPLAYED) == null ? 1 : 0;
          }
        }
        assertEquals(1, firsts, "one of them was the first");
      } finally {
        pool.shutdownNow();
      }
    }
    request().get("/song/c").then().body(equalTo("5"));
  }

  @Test
  void aKeyIsForgottenAfterTheWindow() throws InterruptedException {
    String key = fresh();
    request().header(KEY, key).post("/song/w").then().body(equalTo("1"));
    Thread.sleep(WINDOW_MS + 500);
    request().header(KEY, key).post("/song/w").then().statusCode(200).body(equalTo("2"))
        .header(REPLAYED, nullValue());
  }

  @Test
  void pastTheLimitTheOldestKeysGoFirst() throws IOException {
    long droppedBefore = metric("playcounter_idempotency_keys_dropped_total");
    String oldest = fresh();
    request().header(KEY, oldest).post("/song/o").then().body(equalTo("1"));
    try (RawHttp.KeepAlive connection = new RawHttp.KeepAlive(root)) { // well within the window
      for (int i = 0; i < MAX_KEYS; i++) {
        assertEquals("200", connection.send("POST", "/song/filler",
            KEY + ": " + fresh() + "\r\n")[0]);
      }
    }
    assertEquals(MAX_KEYS, metric("playcounter_idempotency_keys"));
    assertTrue(metric("playcounter_idempotency_keys_dropped_total") > droppedBefore);
    request().header(KEY, oldest).post("/song/o").then().body(equalTo("2"))
        .header(REPLAYED, nullValue());
  }

  @Test
  void aKeyedBulkAddWhoseAnswerCouldPassTheByteLimitIs413AndChangesNothing() {
    long refusedBefore = metric("playcounter_idempotency_keys_refused_total");
    String body = bulk("big", 3_000); // up to 3,000 x 27 bytes of answer: past 64 KiB
    request().header(KEY, fresh()).contentType("text/plain").body(body).post("/").then()
        .statusCode(413).body(containsString("max-idempotency-answer-bytes"));
    request().get("/song/big-0").then().body(equalTo("0"));
    assertEquals(refusedBefore + 1, metric("playcounter_idempotency_keys_refused_total"));
    request().contentType("text/plain").body(body).post("/").then().statusCode(200);
    request().get("/song/big-0").then().body(equalTo("1"));
  }

  @Test
  void pastTheByteLimitTheOldestAnswersGoFirst() {
    long droppedBefore = metric("playcounter_idempotency_keys_dropped_total");
    String body = bulk("mid", 1_000); // about 9 KB of answer each, 27 KB reserved while it runs
    String oldest = fresh();
    request().header(KEY, oldest).contentType("text/plain").body(body).post("/").then()
        .statusCode(200);
    for (int i = 0; i < 10; i++) {
      request().header(KEY, fresh()).contentType("text/plain").body(body).post("/").then()
          .statusCode(200);
      assertTrue(metric("playcounter_idempotency_answer_bytes") <= MAX_ANSWER_BYTES);
    }
    assertTrue(metric("playcounter_idempotency_keys_dropped_total") > droppedBefore);
    request().header(KEY, oldest).contentType("text/plain").body(body).post("/").then()
        .statusCode(200).header(REPLAYED, nullValue()); // forgotten: counted as new
    request().get("/song/mid-0").then().body(equalTo("12"));
  }

  private static String bulk(String prefix, int songs) {
    StringBuilder body = new StringBuilder();
    for (int i = 0; i < songs; i++) {
      body.append(i == 0 ? "" : ",").append(prefix).append('-').append(i).append("=1");
    }
    return body.toString();
  }

  private long metric(String name) {
    for (String line : request().get("/metrics").asString().split("\n")) {
      if (line.startsWith(name + " ")) {
        return (long) Double.parseDouble(line.substring(name.length() + 1).trim());
      }
    }
    throw new AssertionError("no metric " + name);
  }
}
