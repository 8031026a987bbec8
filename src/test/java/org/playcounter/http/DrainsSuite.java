package org.playcounter.http;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.response.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.playcounter.wire.CountsFormat;

/**
 * API section 6, acknowledged drains, over real HTTP against the built WAR in a real container:
 * every row of the table, the limit, and exactly-once under concurrent plays.
 */
abstract class DrainsSuite extends DeploymentSuite {
  DrainsSuite(Supplier<ServletContainer> container, String contextPath) {
    super(container, contextPath);
  }

  @BeforeEach
  void noDrainsPending() {
    request().delete("/").then().statusCode(200);
    request().get("/drains").then().statusCode(200).body(equalTo(""));
  }

  @Test
  void aPendingDrainStillCountsUntilItIsAcknowledged() {
    post("/", "1=3,5=2,x=1");
    Response created = request().post("/drains");
    created.then().statusCode(201).contentType(TEXT).header("Cache-Control", "no-store");
    long number = numberOf(created);
    String prefix = contextPath().equals("/") ? "" : contextPath();
    assertEquals(prefix + "/drains/" + number, created.header("Location"));
    assertEquals(Map.of("1", 3L, "5", 2L, "x", 1L), parse(created.asString()));

    // the plays the database does not have yet still count
    request().get("/song/1").then().body(equalTo("3"));
    request().post("/song/1").then().body(equalTo("4"));
    assertEquals(Map.of("1", 4L, "5", 2L, "x", 1L), parse(request().get("/").asString()));

    expectText(request().get("/drains"), 200, Long.toString(number));
    request().header("Accept", JSON).get("/drains").then().statusCode(200).contentType(JSON)
        .body(equalTo("[" + number + "]"));
    Response again = request().get("/drains/" + number);
    again.then().statusCode(200).contentType(TEXT);
    assertEquals(Map.of("1", 3L, "5", 2L, "x", 1L), parse(again.asString()));
    assertEquals(Map.of("1", 3L, "5", 2L, "x", 1L), parse(CountsFormat.JSON,
        request().header("Accept", JSON).get("/drains/" + number).asString()));
    request().head("/drains/" + number).then().statusCode(200)
        .header("Content-Length", again.header("Content-Length")).body(emptyString());

    expectText(request().delete("/drains/" + number), 200, "OK");
    request().delete("/drains/" + number).then().statusCode(404).contentType(TEXT)
        .body(containsString("drain " + number + " is not pending"));
    request().get("/drains/" + number).then().statusCode(404);
    expectText(request().get("/drains"), 200, "");
    assertEquals(Map.of("1", 1L), parse(request().get("/").asString()));
  }

  @Test
  void drainsAreNumberedUpwardsAndNeverReused() {
    long last = 0;
    for (int i = 0; i < 5; i++) {
      request().post("/song/a");
      long number = numberOf(request().post("/drains").then().statusCode(201).extract()
          .response());
      assertTrue(number > last, number + " after " + last);
      last = number;
      if (i % 2 == 1) {
        request().delete("/drains/" + number).then().statusCode(200);
      }
    }
    assertEquals(3, request().get("/drains").asString().split(",").length);
    request().header("Accept", JSON).delete("/drains/" + last).then().statusCode(200)
        .contentType(JSON).body(equalTo("{\"acknowledged\":" + last + "}"));
  }

  @Test
  void anEmptyDrainIsPendingToo() {
    Response created = request().post("/drains");
    created.then().statusCode(201).body(equalTo(""));
    request().header("Accept", JSON).get("/drains/" + numberOf(created)).then().statusCode(200)
        .body(equalTo("{}"));
  }

  @Test
  void deletesRemovePendingCountsToo() {
    post("/", "a=2,b=3");
    long first = numberOf(request().post("/drains"));
    post("/", "a=5,c=1");
    long second = numberOf(request().post("/drains"));
    request().post("/song/a");
    expectText(request().delete("/song/a"), 200, "8");
    expectText(request().get("/song/a"), 200, "0");
    assertEquals(Map.of("b", 3L), parse(request().get("/drains/" + first).asString()));
    assertEquals(Map.of("c", 1L), parse(request().get("/drains/" + second).asString()));
    expectText(request().delete("/"), 200, "OK");
    expectText(request().get("/drains"), 200, "");
    request().get("/drains/" + first).then().statusCode(404);
    expectText(request().get("/"), 200, "");
  }

  @Test
  void theOneStepDrainTakesLiveCountsAndLeavesPendingDrainsPending() {
    post("/", "a=2");
    long pending = numberOf(request().post("/drains"));
    post("/", "a=1,b=1");
    Response drained = request().header("Prefer", "return=representation").delete("/");
    drained.then().statusCode(200).header("Preference-Applied", "return=representation");
    assertEquals(Map.of("a", 1L, "b", 1L), parse(drained.asString()));
    expectText(request().get("/drains"), 200, Long.toString(pending));
    expectText(request().get("/"), 200, "a=2");
  }

  @Test
  void onePastTheLimitIs409NamingThePendingDrainsAndChangesNothing() {
    List<String> numbers = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      numbers.add(Long.toString(numberOf(request().post("/drains"))));
    }
    request().post("/song/a");
    request().post("/drains").then().statusCode(409).contentType(TEXT)
        .body(containsString(String.join(",", numbers)));
    expectText(request().get("/drains"), 200, String.join(",", numbers));
    expectText(request().get("/"), 200, "a=1");
    request().header("Accept", JSON).post("/drains").then().statusCode(409).contentType(JSON)
        .body(containsString("{\"error\":\"8 drains are pending"));
  }

  @Test
  void badNumbersMethodsAndOptions() {
    for (String path : List.of("/drains/0", "/drains/x", "/drains/01", "/drains/-1",
        "/drains/99999999999999999999", "/drains/1/2")) {
      request().get(path).then().statusCode(404).contentType(TEXT);
      request().delete(path).then().statusCode(404);
    }
    request().put("/drains").then().statusCode(405).header("Allow", "GET, HEAD, POST, OPTIONS");
    request().delete("/drains").then().statusCode(405);
    request().post("/drains/1").then().statusCode(405)
        .header("Allow", "GET, HEAD, DELETE, OPTIONS");
    request().options("/drains").then().statusCode(204)
        .header("Allow", "GET, HEAD, POST, OPTIONS");
    request().options("/drains/5").then().statusCode(204)
        .header("Allow", "GET, HEAD, DELETE, OPTIONS");
    request().header("Accept", "image/png").post("/drains").then().statusCode(406);
    expectText(request().get("/drains"), 200, "");
  }

  /**
   * Writers play and bulk-add while a job makes drains, reads them again and acknowledges them:
   * every acknowledged play is in exactly one acknowledged drain or still counted.
   */
  @Test
  void everyAcknowledgedPlayIsInExactlyOneDrainOrStillCounted() throws Exception {
    Map<String, Long> folded = new ConcurrentHashMap<>();
    AtomicLong drains = new AtomicLong();
    Map<String, AtomicLong> acknowledged = race(12, Duration.ofSeconds(3),
        (connection, random) -> { // the job: make a drain, read it again, acknowledge it
          String[] created = connection.send("POST", "/drains", "");
          assertEquals("201", created[0]);
          String[] numbers = connection.send("GET", "/drains", "")[1].split(",");
          String number = numbers[numbers.length - 1];
          assertEquals(parse(created[1]), parse(connection.send("GET", "/drains/" + number,
              "")[1]), "the same counts again");
          assertEquals("200", connection.send("DELETE", "/drains/" + number, "")[0]);
          parse(created[1]).forEach((id, count) -> folded.merge(id, count, Long::sum));
          drains.incrementAndGet();
        });
    assertEveryPlayAccountedFor(acknowledged, folded);
    assertTrue(drains.get() > 10, "the job made few drains: " + drains.get());
  }

  // ---- helpers ----

  private static long numberOf(Response created) {
    String location = created.header("Location");
    return Long.parseLong(location.substring(location.lastIndexOf('/') + 1));
  }
}
