package org.playcounter.http;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import io.restassured.response.Response;
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
}
