package org.playcounter.http;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.restassured.response.Response;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Song ids that spell the words and numbers of playcounter's own file formats survive a clean
 * stop (a snapshot) and a SIGKILL (the journal) in both fsync modes, with a pending drain and
 * remembered keys: the built WAR in a standalone Jetty, over HTTP.
 */
class FormatWordsIT {
  /** The formats' words and numbers; on 6e7253a a song named drain stopped the directory opening. */
  static final List<String> IDS = List.of("drain", "key", "keys", "live", "end", "begin", "ack",
      "playcounter-snapshot", "covers-journal", "next-drain", "1", "0", "-", "-1", "~1", "_",
      "00000000", "deadbeef", "1764633600000", "0123456789abcdef", "x".repeat(128));

  @TempDir
  Path dataDir;

  @ParameterizedTest(name = "fsync={0}, {1}")
  @CsvSource({"always, clean stop", "always, SIGKILL", "interval, clean stop",
      "interval, SIGKILL"})
  void songsNamedLikeTheFormatsWordsSurvive(String fsync, String stop) throws Exception {
    Map<String, String> settings = Map.of("playcounter.data-dir", dataDir.toString(),
        "playcounter.fsync", fsync);
    Map<String, Long> pending = new HashMap<>();
    Map<String, Long> live = new HashMap<>();
    String bulkBody;
    String playAnswer;
    String drainLocation;
    StringBuilder bulk = new StringBuilder();
    for (String id : IDS) {
      bulk.append(bulk.length() == 0 ? "" : ",").append(id).append("=3");
    }
    ServletContainer jetty = ServletContainer.start(ServletContainer.Kind.JETTY_12_1, settings,
        "/");
    try {
      String base = jetty.uri("/").toString();
      for (String id : IDS) {
        post(base, "/song/" + id, null).then().statusCode(200);
        post(base, "/song/" + id, null).then().statusCode(200);
        pending.put(id, 2L);
      }
      Response drain = post(base, "/drains", "drain-key");
      drain.then().statusCode(201);
      drainLocation = drain.header("Location");
      Response added = given().baseUri(base).header("Idempotency-Key", "bulk-key")
          .contentType("text/plain").body(bulk.toString()).post("/");
      added.then().statusCode(200);
      bulkBody = added.asString();
      for (String id : IDS) {
        live.put(id, 3L);
      }
      Response played = post(base, "/song/drain", "play-key");
      played.then().statusCode(200);
      playAnswer = played.asString();
      assertEquals("6", playAnswer, "2 pending + 3 + this play");
      live.merge("drain", 1L, Long::sum);
      if (stop.equals("SIGKILL")) {
        jetty.kill();
      }
    } finally {
      jetty.close();
    }
    try (ServletContainer restarted = ServletContainer.start(ServletContainer.Kind.JETTY_12_1,
        settings, "/")) {
      String base = restarted.uri("/").toString();
      Map<String, Long> all = new HashMap<>(live);
      pending.forEach((id, n) -> all.merge(id, n, Long::sum));
      assertEquals(all, counts(given().baseUri(base).get("/").asString()));
      String number = drainLocation.substring(drainLocation.lastIndexOf('/') + 1);
      assertEquals(number, given().baseUri(base).get("/drains").asString());
      assertEquals(pending, counts(given().baseUri(base).get("/drains/" + number).asString()));
      Response replayedBulk = given().baseUri(base).header("Idempotency-Key", "bulk-key")
          .contentType("text/plain").body(bulk.toString()).post("/");
      assertEquals("true", replayedBulk.header("Idempotent-Replayed"));
      assertEquals(bulkBody, replayedBulk.asString());
      Response replayedPlay = post(base, "/song/drain", "play-key");
      assertEquals("true", replayedPlay.header("Idempotent-Replayed"));
      assertEquals(playAnswer, replayedPlay.asString());
      Response replayedDrain = post(base, "/drains", "drain-key");
      assertEquals(201, replayedDrain.statusCode());
      assertEquals(drainLocation, replayedDrain.header("Location"));
      assertEquals(all, counts(given().baseUri(base).get("/").asString()), "replays changed nothing");
    }
  }

  private static Response post(String base, String path, String key) {
    var request = given().baseUri(base);
    if (key != null) {
      request = request.header("Idempotency-Key", key);
    }
    return request.post(path);
  }

  private static Map<String, Long> counts(String body) {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (String pair : body.split(",")) {
      if (!pair.isEmpty()) {
        int eq = pair.lastIndexOf('=');
        counts.put(pair.substring(0, eq), Long.parseLong(pair.substring(eq + 1)));
      }
    }
    return counts;
  }
}
