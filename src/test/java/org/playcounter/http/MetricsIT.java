package org.playcounter.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code /metrics} of the built WAR in Jetty 12.1, durable with {@code fsync=always}, after some
 * traffic: both exposition formats pass promtool's parsers, and show the JVM's metrics, request
 * duration buckets and every name the hand-written exposition had. Without promtool it skips,
 * unless the system property {@value Promtool#REQUIRED} is true (as {@code .ci/run} sets it):
 * then it fails. The alert rules name only series this page has.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsIT {
  private static final String TOKEN = "metrics-token";
  private static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0";
  /** Every name the hand-written exposition showed, in a durable deployment. */
  private static final List<String> NAMES = List.of("playcounter_songs",
      "playcounter_plays_total", "playcounter_drains_total", "playcounter_drained_songs_total",
      "playcounter_requests_total", "playcounter_rejected_total", "playcounter_pending_drains",
      "playcounter_pending_songs", "playcounter_idempotency_keys",
      "playcounter_idempotent_replays_total", "playcounter_idempotency_conflicts_total",
      "playcounter_idempotency_keys_dropped_total", "playcounter_journal_bytes",
      "playcounter_journal_fsyncs_total", "playcounter_journal_compactions_total",
      "playcounter_journal_stall_seconds_max", "playcounter_max_songs",
      "playcounter_max_body_bytes");

  private Path dataDir;
  private ServletContainer container;

  @BeforeAll
  void startContainer() throws IOException {
    Promtool.assumeInstalled("/metrics");
    dataDir = Files.createTempDirectory("playcounter-metrics-");
    container = ServletContainer.start(ServletContainer.Kind.JETTY_12_1, Map.of(
        "playcounter.admin-token", TOKEN, "playcounter.fsync", "always",
        "playcounter.data-dir", dataDir.resolve("{context}").toString()), "/", "/other");
  }

  @AfterAll
  void stopContainer() throws IOException {
    if (container != null) {
      container.close();
    }
    if (dataDir != null) {
      try (Stream<Path> files = Files.walk(dataDir)) {
        for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(file);
        }
      }
    }
  }

  @Test
  void bothFormatsPassPromtoolAndShowWhatOperatorsExpect() throws Exception {
    request("/").post("/song/1").then().statusCode(200);
    request("/").post("/song/2").then().statusCode(200);
    request("/").body("1=3,3=2").post("/").then().statusCode(200);
    request("/").get("/nowhere").then().statusCode(404);
    request("/").header("Authorization", "Bearer " + TOKEN).post("/drains").then()
        .statusCode(201);

    String text = request("/").get("/metrics").then().statusCode(200)
        .contentType(matchesPattern("text/plain; ?version=0\\.0\\.4.*")).extract().asString();
    String openMetrics = request("/").header("Accept", OPENMETRICS).get("/metrics").then()
        .statusCode(200)
        .contentType(matchesPattern("application/openmetrics-text; ?version=1\\.0\\.0.*"))
        .extract().asString();
    Promtool.run(text, "check", "metrics");
    checkOpenMetrics(openMetrics);
    for (String page : List.of(text, openMetrics)) {
      for (String name : NAMES) {
        assertTrue(page.contains("\n" + name + " ") || page.contains("\n" + name + "{"),
            name + " is missing:\n" + page);
      }
      for (String name : List.of("jvm_memory_used_bytes", "jvm_threads_current",
          "jvm_gc_collection_seconds_count", "process_cpu_seconds_total", "process_open_fds",
          "playcounter_request_duration_seconds_bucket",
          "playcounter_journal_fsync_duration_seconds_bucket",
          "playcounter_heap_headroom_songs")) {
        assertTrue(page.contains("\n" + name), name + " is missing:\n" + page);
      }
      assertTrue(page.contains("\nplaycounter_plays_total 7.0\n"), page);
      assertTrue(page.contains("\nplaycounter_pending_songs 3.0\n"), page);
      assertTrue(page.contains("\nplaycounter_request_duration_seconds_count{route=\"song\","
          + "status=\"2xx\"} 2\n"), page);
    }
    assertTrue(openMetrics.endsWith("# EOF\n"), openMetrics);
  }

  @Test
  void alertRulesNameOnlySeriesTheServerExports() throws IOException {
    request("/").post("/song/1").then().statusCode(200);
    String page = request("/").get("/metrics").then().statusCode(200).extract().asString();
    Matcher names = Pattern.compile("\\bplaycounter_\\w+")
        .matcher(Files.readString(Path.of(AlertRulesTest.RULES)));
    int checked = 0;
    while (names.find()) {
      String name = names.group();
      assertTrue(page.contains("\n" + name + " ")
          || page.contains("\n" + name + "{"), name + " is in the rules but not on:\n" + page);
      checked++;
    }
    assertTrue(checked > 10, "names found in the rules: " + checked);
  }

  @Test
  void eachDeploymentCountsForItself() {
    request("/other").post("/song/1").then().statusCode(200);
    String other = request("/other").get("/metrics").then().statusCode(200).extract()
        .asString();
    assertTrue(other.contains("\nplaycounter_songs 1.0\n"), other);
    assertTrue(other.contains("\nplaycounter_pending_drains 0.0\n"), other);
  }

  @Test
  void protobufIsNotShippedSoItsScraperGetsText() {
    request("/").header("Accept", "application/vnd.google.protobuf;"
        + "proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,"
        + "text/plain;version=0.0.4;q=0.3").get("/metrics").then().statusCode(200)
        .contentType(matchesPattern("text/plain; ?version=0\\.0\\.4.*"));
    request("/").head("/metrics").then().statusCode(200).body(emptyString());
  }

  private RequestSpecification request(String contextPath) {
    return given().baseUri(container.uri(contextPath).toString()).urlEncodingEnabled(false);
  }

  /**
   * Parses {@code page} with promtool's OpenMetrics parser, the one its backfill uses:
   * {@code promtool check metrics} reads the Prometheus text format only (OpenMetrics' counter
   * families without {@code _total} and its {@code info} type fail it), and the backfill wants a
   * timestamp on every sample, so each gets one.
   */
  private void checkOpenMetrics(String page) throws IOException, InterruptedException {
    StringBuilder stamped = new StringBuilder();
    page.lines().forEach(line -> stamped.append(line)
        .append(line.startsWith("#") ? "\n" : " 1700000000\n"));
    Path file = dataDir.resolve("metrics.om");
    Files.writeString(file, stamped);
    Promtool.run("", "tsdb", "create-blocks-from", "openmetrics", file.toString(),
        dataDir.resolve("blocks").toString());
  }
}
