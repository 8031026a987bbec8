package org.playcounter.http;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import io.restassured.response.Response;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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

  /**
   * A client that sends the drain and hangs up without reading its answer: at-most-once
   * (api.md). The container took the small body into its socket buffers, so the drain was
   * delivered as far as the server can know, and its counts went with the client; or the
   * container reported the failure and they were put back. Either way whole, and as the server
   * counted it.
   */
  @Test
  void drainWhoseClientHangsUpIsGoneWholeOrBackWhole() throws Exception {
    post("/", "1=3,5=2");
    Map<String, Double> before = metrics();
    hangUpOnDrain();
    Settled settled = awaitDrainSettled(before);
    if (settled.delivered()) {
      assertEquals(Map.of(), settled.left(), "delivered, as far as the server knows: gone");
    } else {
      assertEquals(Map.of("1", 3L, "5", 2L), settled.left(), "not delivered: put back whole");
    }
  }

  /**
   * A drain whose body is far larger than the socket buffers, and whose client hangs up before
   * reading it: the container reports the failed write, and every count is put back.
   */
  @Test
  void drainWhoseClientGoesAwayMidBodyIsPutBackWhole() throws Exception {
    Map<String, Long> expected = new HashMap<>();
    StringBuilder body = new StringBuilder();
    for (int i = 0; i < 200_000; i++) {
      expected.put("s" + i, 1L + i % 3);
      body.append(body.length() == 0 ? "" : ",").append('s').append(i).append('=')
          .append(1 + i % 3);
      if (body.length() > 1_000_000 || i == 199_999) {
        post("/", body.toString()).then().statusCode(200);
        body.setLength(0);
      }
    }
    Map<String, Double> before = metrics();
    hangUpOnDrain();
    Settled settled = awaitDrainSettled(before);
    assertFalse(settled.delivered(), "counted as delivered");
    assertEquals(expected, settled.left());
  }

  /**
   * Sends {@code DELETE /} asking for the counts, waits (at most a minute) until the first bytes
   * of the answer are in the socket's buffer, so that the drain has begun, and closes the socket
   * without reading any of them.
   */
  private void hangUpOnDrain() throws IOException, InterruptedException {
    try (Socket socket = new Socket()) {
      // a small window, so that a large body cannot fit the kernel's buffers on either side
      // (on loopback they grow to megabytes) and be written whole before the hang-up is seen
      socket.setReceiveBufferSize(4096);
      socket.connect(new InetSocketAddress(root.getHost(), root.getPort()));
      OutputStream out = socket.getOutputStream();
      out.write(("DELETE " + root.getRawPath() + "/ HTTP/1.1\r\nHost: x\r\n"
          + "Prefer: return=representation\r\nContent-Length: 0\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
      while (socket.getInputStream().available() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
    }
  }

  /** How a drain ended: counted as delivered or not, and the counts left afterwards. */
  private record Settled(boolean delivered, Map<String, Long> left) {}

  /**
   * Polls until the drain {@link #hangUpOnDrain} began has ended one way or the other: counted
   * as delivered ({@code playcounter_drains_total} past {@code before}), or its counts back; for
   * at most a minute. In between, the counts are out and not yet counted as delivered.
   */
  private Settled awaitDrainSettled(Map<String, Double> before) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (true) {
      Map<String, Long> left = parse(request().get("/").asString());
      boolean delivered = delta(before, metrics(), "playcounter_drains_total") > 0;
      if (!left.isEmpty()) {
        // GET / reads stripe by stripe, and may have read some stripes before the put-back,
        // which takes them all at once, and the others after it: read until it stands still
        for (Map<String, Long> again; !(again = parse(request().get("/").asString()))
            .equals(left) && System.nanoTime() < deadline; ) {
          left = again;
          Thread.sleep(50);
        }
      }
      if (delivered || !left.isEmpty() || System.nanoTime() > deadline) {
        return new Settled(delivered, left);
      }
      Thread.sleep(50);
    }
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
