package org.playcounter.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.net.URI;
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
import java.util.function.Supplier;
import org.hamcrest.Matcher;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.playcounter.wire.CountsFormat;
import org.playcounter.wire.MalformedCountsException;

/**
 * One deployment of the built WAR in a real container, as the contract's suites see it: the
 * container is started by {@link ContainerConformance} with the WAR deployed twice, at {@code /}
 * and at {@code /playcounter}; each suite runs once against each deployment, and the other one
 * shows that two deployments count independently. Counts start empty for every test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DeploymentSuite {
  static final String TEXT = "text/plain;charset=UTF-8";
  static final String JSON = "application/json";
  static final String ALLOW = "GET, HEAD, POST, DELETE, OPTIONS";

  /** The container this suite runs against, started before the suite's first test. */
  private final Supplier<ServletContainer> container;
  /** The context path of the deployment under test; the other one is the second deployment. */
  private final String contextPath;
  URI root;
  URI second;

  DeploymentSuite(Supplier<ServletContainer> container, String contextPath) {
    this.container = container;
    this.contextPath = contextPath;
  }

  ServletContainer container() {
    return container.get();
  }

  String contextPath() {
    return contextPath;
  }

  ServletContainer.Server server() {
    return container().kind().server();
  }

  @BeforeAll
  void findDeployments() {
    assumeTrue(container() != null, "this configuration runs the suites at / only");
    root = container().uri(contextPath());
    second = container().uri(contextPath().equals("/") ? "/playcounter" : "/");
  }

  @BeforeEach
  void emptyCounters() {
    given().baseUri(root.toString()).delete("/").then().statusCode(200);
    given().baseUri(second.toString()).delete("/").then().statusCode(200);
  }

  RequestSpecification request() {
    return given().baseUri(root.toString()).urlEncodingEnabled(false);
  }

  static Matcher<String> textPlain() {
    // Byte for byte on every container (Jetty runs with HttpGenerator.STRICT, see the README).
    return equalTo(TEXT);
  }

  /**
   * A request that the container answers itself, before playcounter sees it (a protected path),
   * as the suite pins: not held to the OpenAPI document, which describes playcounter's answers.
   */
  RequestSpecification containerRequest() {
    return request().noFilters();
  }

  Response post(String path, String body) {
    return request().contentType("text/plain").body(body).post(path);
  }

  static void expectText(Response response, int status, String body) {
    response.then().statusCode(status).contentType(textPlain()).body(equalTo(body))
        .header("Cache-Control", "no-store")
        .header("Content-Length", String.valueOf(body.length()));
  }

  static Map<String, Long> parse(String text) {
    return parse(CountsFormat.TEXT, text);
  }

  static Map<String, Long> parse(CountsFormat format, String body) {
    try {
      return format.parse(body, Long.MAX_VALUE);
    } catch (MalformedCountsException e) {
      throw new AssertionError(e.getMessage() + " in " + body.substring(0,
          Math.min(200, body.length())));
    }
  }

  /** This deployment's {@code playcounter_} series and their values, from one scrape. */
  Map<String, Double> metrics() {
    Map<String, Double> values = new HashMap<>();
    request().get("/metrics").then().statusCode(200).extract().asString().lines()
        .filter(line -> line.startsWith("playcounter_")).forEach(line -> {
          int space = line.lastIndexOf(' ');
          values.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        });
    return values;
  }

  /**
   * Scrapes until {@code series} has grown since {@code before}, for at most a minute: a request
   * is counted once its answer is written, so a client can read the answer before the count.
   */
  Map<String, Double> awaitCounted(Map<String, Double> before, String series) {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (true) {
      Map<String, Double> now = metrics();
      if (delta(before, now, series) > 0 || System.nanoTime() > deadline) {
        return now;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return now;
      }
    }
  }

  static double delta(Map<String, Double> before, Map<String, Double> after, String series) {
    assertTrue(after.containsKey(series), "no series " + series);
    return after.get(series) - before.get(series);
  }

  /** Work that races the writers of {@link #race}, one step at a time on its own connection. */
  @FunctionalInterface
  interface Racer {
    void step(RawHttp.KeepAlive connection, ThreadLocalRandom random) throws Exception;
  }

  /**
   * Runs {@code writers} threads that post plays to {@link #songFor} songs, every 8th request a
   * bulk add of 10 of them, beside one thread per racer repeating its step, all let go by one
   * latch and stopped after {@code runFor}; returns the plays acknowledged per song.
   */
  Map<String, AtomicLong> race(int writers, Duration runFor, Racer... racers) throws Exception {
    Map<String, AtomicLong> acknowledged = new ConcurrentHashMap<>();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(writers + racers.length);
    List<Racer> all = new ArrayList<>(List.of(racers));
    for (int w = 0; w < writers; w++) {
      int[] i = {0};
      all.add((connection, random) -> {
        if (i[0]++ % 8 == 0) { // a bulk add over songs the other writers play too
          Map<String, Long> plays = new HashMap<>();
          for (int k = 0; k < 10; k++) {
            plays.put(songFor(random), 1L + random.nextInt(3));
          }
          StringBuilder body = new StringBuilder();
          plays.forEach((id, n) -> body.append(body.length() == 0 ? "" : ",").append(id)
              .append('=').append(n));
          assertEquals("200", connection.send("POST", "/", "Content-Type: text/plain\r\n",
              body.toString())[0]);
          plays.forEach((id, n) ->
              acknowledged.computeIfAbsent(id, k -> new AtomicLong()).addAndGet(n));
        } else {
          String id = songFor(random);
          assertEquals("200", connection.send("POST", "/song/" + id, "")[0]);
          acknowledged.computeIfAbsent(id, k -> new AtomicLong()).incrementAndGet();
        }
      });
    }
    try {
      List<Future<?>> work = new ArrayList<>();
      for (Racer racer : all) {
        work.add(pool.submit(() -> {
          start.await();
          long end = System.nanoTime() + runFor.toNanos();
          ThreadLocalRandom random = ThreadLocalRandom.current();
          try (RawHttp.KeepAlive connection = new RawHttp.KeepAlive(root)) {
            while (System.nanoTime() < end) {
              racer.step(connection, random);
            }
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> future : work) {
        future.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    return acknowledged;
  }

  /**
   * Every song's acknowledged plays are exactly those taken out (drained, deleted) plus those the
   * deployment still counts, and the writers did something.
   */
  void assertEveryPlayAccountedFor(Map<String, AtomicLong> acknowledged,
      Map<String, Long> takenOut) {
    Map<String, Long> remaining = parse(request().get("/").asString());
    Set<String> songs = new HashSet<>(acknowledged.keySet());
    songs.addAll(takenOut.keySet());
    songs.addAll(remaining.keySet());
    long total = 0;
    for (String id : songs) {
      long posted = acknowledged.containsKey(id) ? acknowledged.get(id).get() : 0;
      assertEquals(posted, takenOut.getOrDefault(id, 0L) + remaining.getOrDefault(id, 0L),
          "song " + id);
      total += posted;
    }
    assertTrue(total > 1000, "the writers did little: " + total);
  }

  /** Mostly a few hot songs, so that plays, bulk adds, deletes and drains meet on them. */
  static String songFor(ThreadLocalRandom random) {
    return random.nextInt(4) > 0 ? "hot" + random.nextInt(3) : "cold" + random.nextInt(2_000);
  }
}
