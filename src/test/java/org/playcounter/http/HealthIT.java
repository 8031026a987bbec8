package org.playcounter.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /health} (readiness) and {@code /health/live} (liveness) of the built WAR in Jetty 12.1
 * in each state a real counter reaches: ready, full at {@code max-songs} (200 with the warning,
 * and still counting its songs), and with a failed journal (503, yet alive). The journal is made
 * to fail as a dying disk would, part way through a write and then in its cut back, in a
 * container of its own: the JVM's file size limit is set a few bytes past the journal's end
 * ({@code prlimit --fsize}: the write stops there, then fails with EFBIG) and the file made
 * append-only ({@code chattr +a}: the cut back, a truncate, fails with EPERM); skipped where
 * either does not work (not root, a file system without the flag).
 * Stopping is {@code HealthTest}'s: a context being undeployed no longer answers at all.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HealthIT {
  private static final int MAX_SONGS = 3;

  private Path dataDir;
  private ServletContainer container;

  @BeforeAll
  void startContainer(@TempDir Path dir) throws IOException {
    dataDir = dir;
    container = ServletContainer.start(ServletContainer.Kind.JETTY_12_1, Map.of(
        "playcounter.max-songs", Integer.toString(MAX_SONGS),
        "playcounter.data-dir", dataDir.resolve("{context}").toString()),
        "/ready", "/full");
  }

  @AfterAll
  void stopContainer() {
    if (container != null) {
      container.close();
    }
  }

  @Test
  void readyCounterSaysOkOnBothPaths() {
    RequestSpecification ready = request("/ready");
    ready.post("/song/1").then().statusCode(200);
    ready.get("/health").then().statusCode(200).body(equalTo("OK"));
    ready.get("/health/live").then().statusCode(200).body(equalTo("OK"));
    String metrics = metrics("/ready");
    assertTrue(metrics.contains("\nplaycounter_ready 1.0\n"), metrics);
    assertTrue(metrics.contains("\nplaycounter_health_warning{warning=\"full\"} 0.0\n"), metrics);
  }

  @Test
  void fullCounterIsReadyWithTheWarningAndKeepsCountingItsSongs() {
    RequestSpecification full = request("/full");
    full.body("a=1,b=1,c=1").post("/").then().statusCode(200);
    full.get("/health").then().statusCode(200).body(equalTo("OK; warning: full: 3 songs held"
        + " (0 in pending drains), max-songs is 3; new songs are refused"));
    full.get("/health/live").then().statusCode(200).body(equalTo("OK"));
    full.post("/song/a").then().statusCode(200).body(equalTo("2"));
    full.get("/song/b").then().statusCode(200).body(equalTo("1"));
    full.post("/song/d").then().statusCode(507);
    String metrics = metrics("/full");
    assertTrue(metrics.contains("\nplaycounter_ready 1.0\n"), metrics);
    assertTrue(metrics.contains("\nplaycounter_health_warning{warning=\"full\"} 1.0\n"), metrics);
    assertTrue(metrics.contains("\nplaycounter_requests_unavailable_total{route=\"song\"} 0.0\n"),
        metrics);
  }

  @Test
  void failedJournalIsNotReadyButAlive() throws Exception {
    Path dir = dataDir.resolve("failing");
    List<Path> appendOnly = new ArrayList<>();
    try (ServletContainer failing = ServletContainer.start(ServletContainer.Kind.JETTY_12_1,
        Map.of("playcounter.data-dir", dir.toString()), "/")) {
      RequestSpecification api = given().baseUri(failing.uri("/").toString());
      api.post("/song/1").then().statusCode(200);
      long end = 0;
      try (Stream<Path> files = Files.list(dir)) {
        for (Path journal : files.filter(f -> f.getFileName().toString().startsWith("journal-"))
            .toList()) {
          assumeTrue(run("chattr", "+a", journal.toString()), "chattr +a does not work here (not"
              + " root, or a file system without it): cannot make the journal fail");
          appendOnly.add(journal);
          end = Math.max(end, Files.size(journal));
        }
      }
      assertFalse(appendOnly.isEmpty(), "no journal in " + dir);
      assumeTrue(run("prlimit", "--pid", Long.toString(failing.pid()), "--fsize=" + (end + 4)),
          "prlimit --fsize does not work here: cannot make the journal fail");
      api.post("/song/1").then().statusCode(503).body(startsWith("storage failed: "));
      api.get("/health").then().statusCode(503).body(startsWith("storage failed: "));
      api.get("/health/live").then().statusCode(200).body(equalTo("OK"));
      api.head("/health/live").then().statusCode(200);
      api.post("/song/2").then().statusCode(503);
      api.get("/song/1").then().statusCode(200).body(equalTo("1"));
      String metrics = api.get("/metrics").then().statusCode(200).extract().asString();
      assertTrue(metrics.contains("\nplaycounter_ready 0.0\n"), metrics);
      assertTrue(metrics.contains("\nplaycounter_requests_unavailable_total{route=\"song\"}"
          + " 2.0\n"), metrics);
      assertTrue(metrics.contains("\nplaycounter_requests_unavailable_total{route=\"health\"}"
          + " 1.0\n"), metrics);
    } finally {
      for (Path journal : appendOnly) {
        run("chattr", "-a", journal.toString());
      }
    }
  }

  private RequestSpecification request(String contextPath) {
    return given().baseUri(container.uri(contextPath).toString());
  }

  private String metrics(String contextPath) {
    return request(contextPath).get("/metrics").then().statusCode(200).extract().asString();
  }

  /** Runs {@code command}; true when it exited 0 within 10 s. */
  private static boolean run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return false;
    }
    return process.exitValue() == 0;
  }
}
