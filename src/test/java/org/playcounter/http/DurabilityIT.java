package org.playcounter.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.playcounter.store.Concurrently;

/**
 * Counts given a data directory survive what ends a container: a stop and start, an undeploy
 * and redeploy, and a SIGKILL in the middle of a write storm.
 */
class DurabilityIT {
  private static final int SONGS = 40;

  @TempDir
  Path dataDir;

  @Test
  void countsDrainsAndDeletesSurviveAStopAndStart() throws IOException {
    Map<String, String> settings = Map.of("playcounter.data-dir", dataDir.toString());
    try (ServletContainer jetty = ServletContainer.start(ServletContainer.Kind.JETTY_12_1, settings,
        "/")) {
      RestAssuredBase api = new RestAssuredBase(jetty.uri("/"));
      api.post("/", "1=3,5=2,gone=4,drained=9").statusCode(200);
      given().baseUri(api.base).header("Prefer", "return=representation").delete("/")
          .then().statusCode(200);
      api.post("/", "1=3,5=2,gone=4").statusCode(200);
      given().baseUri(api.base).post("/song/1").then().body(equalTo("4"));
      given().baseUri(api.base).delete("/song/gone").then().body(equalTo("4"));
    }
    try (ServletContainer jetty = ServletContainer.start(ServletContainer.Kind.JETTY_12_1, settings,
        "/")) {
      assertEquals(Map.of("1", 4L, "5", 2L), counts(jetty.uri("/")));
      assertTrue(jetty.log().contains("playcounter restored 2 songs, 0 pending drains and 0"
          + " idempotency keys from " + dataDir),
          jetty.log());
    }
  }

  @Test
  void everyAcknowledgedPlaySurvivesSigkillWithFsyncAlways() throws Exception {
    Storm storm = stormThenKill("always");
    for (int song = 0; song < SONGS; song++) {
      long count = storm.after.getOrDefault("s" + song, 0L);
      assertTrue(storm.acknowledged.get(song) <= count && count <= storm.sent.get(song),
          "song s" + song + ": acknowledged " + storm.acknowledged.get(song) + ", recovered "
              + count + ", sent " + storm.sent.get(song));
    }
  }

  @Test
  void noCountExceedsThePlaysSentAfterSigkillWithFsyncInterval() throws Exception {
    Storm storm = stormThenKill("interval");
    for (int song = 0; song < SONGS; song++) {
      long count = storm.after.getOrDefault("s" + song, 0L);
      assertTrue(count <= storm.sent.get(song),
          "song s" + song + ": recovered " + count + ", sent " + storm.sent.get(song));
      // SIGKILL spares the OS page cache, so with interval every written play is there too.
      assertTrue(storm.acknowledged.get(song) <= count,
          "song s" + song + ": acknowledged " + storm.acknowledged.get(song) + ", recovered "
              + count);
    }
  }

  @Test
  void undeployAndRedeployKeepTheCounts() throws Exception {
    Map<String, String> settings = Map.of("playcounter.data-dir", dataDir.toString(),
        "playcounter.fsync", "always");
    try (ServletContainer tomcat = ServletContainer.start(ServletContainer.Kind.TOMCAT_10_1,
        settings, "/playcounter")) {
      URI base = tomcat.uri("/playcounter");
      new RestAssuredBase(base).post("/", "a=5,b=1").statusCode(200);
      tomcat.undeploy("/playcounter");
      tomcat.awaitUndeployed("/playcounter");
      tomcat.deploy("/playcounter");
      tomcat.awaitDeployed("/playcounter");
      assertEquals(Map.of("a", 5L, "b", 1L), counts(base));
      assertTrue(tomcat.log().contains("are in the journal, flushed and closed"), tomcat.log());
    }
  }

  @Test
  void secondDeploymentOnTheSameDirectoryRefusesToStart() throws Exception {
    Map<String, String> settings = Map.of("playcounter.data-dir", dataDir.toString());
    try (ServletContainer tomcat = ServletContainer.start(ServletContainer.Kind.TOMCAT_10_1,
        settings, "/first")) {
      new RestAssuredBase(tomcat.uri("/first")).post("/", "a=1").statusCode(200);
      tomcat.deploy("/second");
      awaitLog(tomcat, "is in use by another playcounter deployment");
      assertEquals(404, given().baseUri(tomcat.uri("/second").toString()).get("/song/a")
          .statusCode());
      assertEquals(Map.of("a", 1L), counts(tomcat.uri("/first")));
    }
  }

  @Test
  void unwritableDataDirFailsTheDeployment() throws Exception {
    Path file = Files.writeString(dataDir.resolve("not-a-directory"), "x");
    try (ServletContainer tomcat = ServletContainer.start(ServletContainer.Kind.TOMCAT_10_1,
        Map.of(), "/ok")) {
      // The same WAR with a bad data-dir, as a context init-parameter override of its own.
      Path context = tomcat.contextConfig("/bad");
      Files.createDirectories(context.getParent());
      Files.writeString(context, "<Context><Parameter name=\"playcounter.data-dir\" value=\""
          + file.resolve("data") + "\" override=\"false\"/></Context>");
      tomcat.deploy("/bad");
      awaitLog(tomcat, "cannot be created");
      assertEquals(404, given().baseUri(tomcat.uri("/bad").toString()).get("/song/a")
          .statusCode());
    }
  }

  /** Eight writers hammer the counter over keep-alive, then its JVM is killed mid-storm. */
  private Storm stormThenKill(String fsync) throws Exception {
    Map<String, String> settings = Map.of("playcounter.data-dir", dataDir.toString(),
        "playcounter.fsync", fsync);
    Storm storm = new Storm();
    ServletContainer jetty = ServletContainer.start(ServletContainer.Kind.JETTY_12_1, settings,
        "/");
    try {
      URI base = jetty.uri("/");
      Thread killer = new Thread(() -> {
        try {
          Thread.sleep(2_500);
          jetty.kill();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      killer.start();
      Concurrently.run(8, thread -> {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long end = System.nanoTime() + 20_000_000_000L;
        try (RawHttp.KeepAlive connection = new RawHttp.KeepAlive(base)) {
          while (System.nanoTime() < end) {
            int song = random.nextInt(SONGS);
            storm.sent.incrementAndGet(song);
            if (!"200".equals(connection.send("POST", "/song/s" + song, "")[0])) {
              return;
            }
            storm.acknowledged.incrementAndGet(song);
          }
        } catch (IOException e) {
          // the server died under us: this request may or may not have been recorded
        }
      });
      killer.join();
    } finally {
      jetty.close();
    }
    long acknowledged = 0;
    for (int song = 0; song < SONGS; song++) {
      acknowledged += storm.acknowledged.get(song);
    }
    assertTrue(acknowledged > 100, "the storm was too weak to test anything: " + acknowledged);
    try (ServletContainer restarted = ServletContainer.start(ServletContainer.Kind.JETTY_12_1,
        settings, "/")) {
      storm.after.putAll(counts(restarted.uri("/")));
    }
    return storm;
  }

  /** Waits up to a minute for {@code text} to appear in the container's logs. */
  private static void awaitLog(ServletContainer container, String text) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!container.log().contains(text)) {
      assertTrue(System.nanoTime() < deadline, "never logged: " + text + "\n" + container.log());
      Thread.sleep(200);
    }
  }

  private static Map<String, Long> counts(URI base) {
    String body = given().baseUri(base.toString()).get("/").then().statusCode(200).extract()
        .asString();
    Map<String, Long> counts = new HashMap<>();
    for (String pair : body.split(",")) {
      if (!pair.isEmpty()) {
        counts.put(pair.substring(0, pair.indexOf('=')),
            Long.parseLong(pair.substring(pair.indexOf('=') + 1)));
      }
    }
    return counts;
  }

  /** What the writers sent and had acknowledged, per song, and what a restart recovered. */
  private static final class Storm {
    final AtomicLongArray sent = new AtomicLongArray(SONGS);
    final AtomicLongArray acknowledged = new AtomicLongArray(SONGS);
    final Map<String, Long> after = new ConcurrentHashMap<>();
  }

  /** A base URI and the one request most of these tests send. */
  private record RestAssuredBase(String base) {
    RestAssuredBase(URI uri) {
      this(uri.toString());
    }

    io.restassured.response.ValidatableResponse post(String path, String body) {
      return given().baseUri(base).contentType("text/plain").body(body).post(path).then();
    }
  }
}
