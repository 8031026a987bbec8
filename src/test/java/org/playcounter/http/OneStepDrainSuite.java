package org.playcounter.http;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The one-step drain ({@code DELETE /} with {@code Prefer: return=representation}): exactly the
 * counts it removed, and every acknowledged play accounted for under writers, deletes and drains
 * at once.
 */
abstract class OneStepDrainSuite extends DeploymentSuite {
  OneStepDrainSuite(Supplier<ServletContainer> container, String contextPath) {
    super(container, contextPath);
  }

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
    Map<String, Long> takenOut = new ConcurrentHashMap<>();
    Map<String, AtomicLong> acknowledged = race(16, Duration.ofSeconds(3),
        (connection, random) -> { // a drain loop
          String[] response = connection.send("DELETE", "/", "Prefer: return=representation\r\n");
          assertEquals("200", response[0]);
          parse(response[1]).forEach((id, count) -> takenOut.merge(id, count, Long::sum));
        },
        (connection, random) -> { // a deleter
          String id = songFor(random);
          String[] response = connection.send("DELETE", "/song/" + id, "");
          assertEquals("200", response[0]);
          takenOut.merge(id, Long.parseLong(response[1]), Long::sum);
        });
    assertEveryPlayAccountedFor(acknowledged, takenOut);
  }
}
