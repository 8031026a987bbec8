package org.playcounter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.playcounter.store.Concurrently;

/**
 * SIGKILL of the container's JVM in the middle of bulk adds of 6,000 songs and of drains of
 * 100,000 songs: after a restart from the data directory, every change is there whole or not at
 * all, and every acknowledged one is there (or in a drain that was delivered). A pending drain
 * killed mid-body: {@code FoldIT}.
 */
class CrashIT {
  private static final int BATCH = 6_000;
  private static final int LOADED = 100_000;

  @TempDir
  Path dataDir;

  @ParameterizedTest(name = "fsync={0}")
  @ValueSource(strings = {"interval", "always"})
  void killDuringBulkAddsKeepsEachWholeOrNotAtAll(String fsync) throws Exception {
    Map<String, Integer> acknowledged = new ConcurrentHashMap<>(); // batch name -> 1
    Map<String, Integer> sent = new ConcurrentHashMap<>();
    ServletContainer jetty = start(fsync);
    try {
      URI base = jetty.uri("/");
      Thread killer = killAfter(jetty, 3_000);
      Concurrently.run(4, thread -> bulkAdds(base, "t" + thread + "-", sent, acknowledged,
          new AtomicBoolean(true)));
      killer.join();
    } finally {
      jetty.close();
    }
    assertTrue(acknowledged.size() >= 4, "too few bulk adds before the kill: " + acknowledged);
    Map<String, Long> after = restartAndRead(fsync);
    checkBatches(after, Map.of(), sent, acknowledged);
  }

  @ParameterizedTest(name = "round {0}")
  @ValueSource(ints = {0, 2, 4}) // the kill 20, 140 and 260 ms in: before, during, after
  void killDuringADrainKeepsItWholeOrNotAtAll(int round) throws Exception {
    Map<String, Integer> acknowledged = new ConcurrentHashMap<>();
    Map<String, Integer> sent = new ConcurrentHashMap<>();
    Map<String, Long> drained = new HashMap<>();
    boolean delivered = false;
    ServletContainer jetty = start("interval");
    try {
      URI base = jetty.uri("/");
      load(base);
      AtomicBoolean adding = new AtomicBoolean(true);
      Thread adder = new Thread(() -> bulkAdds(base, "d-", sent, acknowledged, adding));
      adder.start();
      Thread killer = killAfter(jetty, 20 + 60 * round); // from before the drain to after it
      try (RawHttp.KeepAlive connection = new RawHttp.KeepAlive(base)) {
        String[] answer = connection.send("DELETE", "/", "Prefer: return=representation\r\n");
        assertEquals("200", answer[0]);
        drained.putAll(parse(answer[1]));
        delivered = true;
      } catch (IOException e) {
        // killed before the whole drain arrived
      }
      killer.join();
      adding.set(false);
      adder.join();
    } finally {
      jetty.close();
    }
    Map<String, Long> after = restartAndRead("interval");
    int loadedLeft = 0;
    for (int i = 0; i < LOADED; i++) {
      Long count = after.get("l" + i);
      if (count != null) {
        assertEquals(count(i), count, "l" + i);
        loadedLeft++;
      }
    }
    System.out.println("round " + round + ": drain delivered " + delivered + ", loaded songs"
        + " left " + loadedLeft + ", bulk adds sent " + sent.size() + ", acknowledged "
        + acknowledged.size());
    if (delivered) {
      assertEquals(0, loadedLeft, "a delivered drain never comes back");
      assertTrue(drained.size() >= LOADED, "the drain had every loaded song");
    } else {
      assertTrue(loadedLeft == 0 || loadedLeft == LOADED,
          "the drain is whole or not at all: " + loadedLeft + " of " + LOADED + " left");
    }
    checkBatches(after, drained, sent, acknowledged);
  }

  /** Adds {@value #LOADED} songs, {@code l0 .. l99999}, with counts 1 to 5. */
  private static void load(URI base) throws IOException {
    try (RawHttp.KeepAlive connection = new RawHttp.KeepAlive(base)) {
      for (int from = 0; from < LOADED; from += 5_000) {
        StringBuilder body = new StringBuilder();
        for (int i = from; i < from + 5_000; i++) {
          body.append(i == from ? "" : ",").append("l").append(i).append('=').append(count(i));
        }
        assertEquals("200", connection.send("POST", "/", "", body.toString())[0]);
      }
    }
  }

  /** Posts bulk adds of {@value #BATCH} new songs each until told to stop or the server dies. */
  private static void bulkAdds(URI base, String prefix, Map<String, Integer> sent,
      Map<String, Integer> acknowledged, AtomicBoolean going) {
    try (RawHttp.KeepAlive connection = new RawHttp.KeepAlive(base)) {
      for (int k = 0; going.get() && k < 10_000; k++) {
        String batch = prefix + k;
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < BATCH; i++) {
          body.append(i == 0 ? "" : ",").append(batch).append('s').append(i).append('=')
              .append(count(i));
        }
        sent.put(batch, 1);
        if (!"200".equals(connection.send("POST", "/", "", body.toString())[0])) {
          return;
        }
        acknowledged.put(batch, 1);
      }
    } catch (IOException e) {
      // the server died under us: this batch may or may not have been recorded
    }
  }

  /** Every batch sent is there whole or not at all; every acknowledged one is there. */
  private static void checkBatches(Map<String, Long> after, Map<String, Long> drained,
      Map<String, Integer> sent, Map<String, Integer> acknowledged) {
    for (String batch : sent.keySet()) {
      int present = 0;
      for (int i = 0; i < BATCH; i++) {
        String id = batch + "s" + i;
        Long count = after.containsKey(id) ? after.get(id) : drained.get(id);
        if (count != null) {
          assertEquals(count(i), count, id);
          present++;
        }
      }
      assertTrue(present == 0 || present == BATCH, batch + ": " + present + " of " + BATCH
          + " songs recovered");
      if (acknowledged.containsKey(batch)) {
        assertEquals(BATCH, present, batch + " was acknowledged");
      }
    }
  }

  private static long count(int i) {
    return 1 + i % 5;
  }

  private ServletContainer start(String fsync) throws IOException {
    return ServletContainer.start(ServletContainer.Kind.JETTY_12_1, Map.of(
        "playcounter.data-dir", dataDir.toString(), "playcounter.fsync", fsync,
        "playcounter.max-body-bytes", "4000000"), "/");
  }

  private Map<String, Long> restartAndRead(String fsync) throws IOException {
    try (ServletContainer restarted = start(fsync);
        RawHttp.KeepAlive connection = new RawHttp.KeepAlive(restarted.uri("/"))) {
      String[] answer = connection.send("GET", "/", "");
      assertEquals("200", answer[0]);
      return parse(answer[1]);
    }
  }

  private static Thread killAfter(ServletContainer container, long millis) {
    Thread killer = new Thread(() -> {
      try {
        Thread.sleep(millis + ThreadLocalRandom.current().nextInt(40));
        container.kill();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    killer.start();
    return killer;
  }

  private static Map<String, Long> parse(String body) {
    Map<String, Long> counts = new HashMap<>();
    for (String pair : body.split(",")) {
      if (!pair.isEmpty()) {
        int eq = pair.indexOf('=');
        counts.put(pair.substring(0, eq), Long.parseLong(pair.substring(eq + 1)));
      }
    }
    return counts;
  }

}
