package org.playcounter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.playcounter.store.Concurrently;

/**
 * Concurrent plays over real connections: distinct answers on one song, exact sums over many.
 */
abstract class ConcurrencySuite extends DeploymentSuite {
  ConcurrencySuite(Supplier<ServletContainer> container, String contextPath) {
    super(container, contextPath);
  }

  @Test
  void concurrentPostsToOneSongEachSeeTheirOwnCount() throws Exception {
    int threads = 16;
    int perThread = 2_000;
    Set<Long> seen = ConcurrentHashMap.newKeySet();
    Concurrently.run(threads, thread -> {
      try (RawHttp.KeepAlive connection = new RawHttp.KeepAlive(root)) {
        for (int i = 0; i < perThread; i++) {
          String[] response = connection.send("POST", "/song/hot", "");
          assertEquals("200", response[0]);
          assertTrue(seen.add(Long.parseLong(response[1])), "repeated " + response[1]);
        }
      }
    });
    assertEquals(threads * perThread, seen.size());
    expectText(request().get("/song/hot"), 200, Integer.toString(threads * perThread));
  }

  @Test
  void concurrentPostsOverManySongsSumExactly() throws Exception {
    int threads = 32;
    int perThread = 1_000;
    Concurrently.run(threads, thread -> {
      try (RawHttp.KeepAlive connection = new RawHttp.KeepAlive(root)) {
        for (int i = 0; i < perThread; i++) {
          String id = Integer.toString((thread * perThread + i) % 10_000);
          assertEquals("200", connection.send("POST", "/song/" + id, "")[0]);
        }
      }
    });
    Map<String, Long> all = parse(request().get("/").asString());
    assertEquals(10_000, all.size());
    assertEquals(threads * perThread, all.values().stream().mapToLong(Long::longValue).sum());
  }
}
