package org.playcounter.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.playcounter.http.FreePort;
import org.playcounter.http.ServletContainer;
import org.playcounter.wire.CountsFormat;

/** The client against three real counter servers: the built WAR in three Jetty 12 processes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientIT {
  private final List<ServletContainer> containers = new ArrayList<>();
  private final List<URI> servers = new ArrayList<>();
  private PlayCounterClient client;

  @BeforeAll
  void startThreeServers() throws IOException {
    for (int i = 0; i < 3; i++) {
      ServletContainer container = ServletContainer.start(ServletContainer.Kind.JETTY_12_1, Map.of(),
          "/");
      containers.add(container);
      servers.add(container.uri("/"));
    }
    client = new PlayCounterClient(servers);
  }

  @AfterAll
  void stopServers() {
    containers.forEach(ServletContainer::close);
  }

  @BeforeEach
  void resetEveryServer() {
    assertTrue(client.resetAll());
  }

  @Test
  void originalInteractiveSessionReproducesExactly() {
    assertEquals(0, client.count("1"));
    assertEquals(1, client.increment("1"));
    assertEquals(2, client.increment("1"));
    assertEquals(2, client.count("1"));
    assertEquals(1, client.increment("5"));
    assertEquals(Map.of("1", 2L, "5", 1L), client.counts());
    assertTrue(client.resetAll());
    assertEquals(Map.of(), client.counts());
  }

  /**
   * {@code counts(ids)} over three real servers: the count of every song asked, pending ones
   * included, in the order asked, as {@code count(id)} reads each; 600 ids of 128 characters,
   * so that each server's share is split under the request-line limit Jetty enforces.
   */
  @Test
  void countsOfManySongsMatchEachSongsOwnCount() {
    Map<String, Long> plays = new HashMap<>();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      String id = String.format("%03d", i) + "-".repeat(125);
      ids.add(id);
      if (i % 3 != 0) {
        plays.put(id, 1L + i % 5);
      }
    }
    ids.add(ids.get(7)); // a repeat
    client.add(plays);
    client.drain(); // pending now, still counted
    client.increment(ids.get(1));
    Map<String, Long> counts = client.counts(ids);
    assertEquals(ids.subList(0, 600), new ArrayList<>(counts.keySet()));
    for (String id : ids) {
      assertEquals(client.count(id), counts.get(id), id);
    }
    assertEquals(plays.get(ids.get(1)) + 1, counts.get(ids.get(1)));
    assertEquals(0, counts.get(ids.get(0)));
    for (PendingDrain drain : client.pendingDrains()) {
      client.acknowledge(drain);
    }
  }

  @Test
  void theTwoStepDrainHandsEveryPlayOverOnceAcknowledged() {
    Map<String, Long> plays = new HashMap<>();
    for (int i = 0; i < 200; i++) {
      plays.put("d" + i, 1L + i % 3);
    }
    client.add(plays);
    List<PendingDrain> first = client.drain();
    assertEquals(3, first.size(), "one new drain per server");
    assertEquals(plays, merged(first));
    assertEquals(plays, client.counts(), "pending plays still count");
    client.increment("late");
    List<PendingDrain> again = client.drain(); // the first ones were never acknowledged
    assertEquals(6, again.size());
    assertTrue(again.containsAll(first), "the pending ones come again, unchanged");
    assertEquals(Map.of("late", 1L), merged(again.stream().filter(d -> !first.contains(d))
        .toList()));
    assertEquals(6, client.pendingDrains().size());
    for (PendingDrain drain : again) {
      assertTrue(client.acknowledge(drain));
      assertTrue(!client.acknowledge(drain), "acknowledged already");
    }
    assertEquals(List.of(), client.pendingDrains());
    assertEquals(Map.of(), client.counts());
    URI server = client.router().servers().get(0);
    assertEquals(List.of(), client.pendingDrainNumbers(server));
    PlayCounterException gone = assertThrows(PlayCounterException.class,
        () -> client.pendingDrain(server, first.get(0).number()));
    assertEquals(404, gone.status());
  }

  private static Map<String, Long> merged(List<PendingDrain> drains) {
    Map<String, Long> counts = new HashMap<>();
    drains.forEach(drain -> drain.counts().forEach((id, n) -> counts.merge(id, n, Long::sum)));
    return counts;
  }

  @Test
  void longIdsAreTheirDecimalStrings() {
    assertEquals(1, client.increment(42));
    assertEquals(1, client.count("42"));
    assertEquals(1, client.delete(42L));
    assertEquals(0, client.count(42));
  }

  @Test
  void everySongLivesOnTheServerTheRingNames() throws Exception {
    Map<String, Long> expected = new HashMap<>();
    for (int i = 0; i < 300; i++) {
      String id = "song-" + i;
      long plays = 1 + i % 3;
      for (int play = 1; play <= plays; play++) {
        assertEquals(play, client.increment(id));
      }
      expected.put(id, plays);
    }
    HttpClient http = HttpClient.newHttpClient();
    Map<String, Long> seen = new HashMap<>();
    for (URI server : servers) {
      HttpResponse<String> response = http.send(
          HttpRequest.newBuilder(URI.create(server + "/")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, response.statusCode());
      Map<String, Long> held = CountsFormat.TEXT.parse(response.body(), Long.MAX_VALUE);
      assertTrue(held.size() > 50, server + " holds only " + held.size() + " of 300 songs");
      for (Map.Entry<String, Long> song : held.entrySet()) {
        assertEquals(server, client.router().serverFor(song.getKey()), song.getKey());
        assertNull(seen.put(song.getKey(), song.getValue()), song.getKey() + " on two servers");
      }
    }
    assertEquals(expected, seen);
    assertEquals(expected, client.counts());
  }

  @Test
  void bulkAndDrainMergeAcrossServers() {
    Map<String, Long> plays = new HashMap<>();
    Map<String, Long> doubled = new HashMap<>();
    for (int i = 0; i < 200; i++) {
      plays.put("bulk-" + i, i + 1L);
      doubled.put("bulk-" + i, 2 * (i + 1L));
    }
    assertEquals(plays, client.add(plays));
    assertEquals(doubled, client.add(plays));
    assertEquals(doubled, client.counts());
    long max = CountsFormat.MAX_BULK_COUNT;
    assertEquals(Map.of("big", max), client.add(Map.of("big", max)));
    assertEquals(Map.of("big", 2 * max, "bulk-0", 3L),
        client.add(Map.of("big", max, "bulk-0", 1L)));
    doubled.put("bulk-0", 3L);
    doubled.put("big", 2 * max);
    assertEquals(doubled, client.drainAll());
    assertEquals(Map.of(), client.counts());
    assertEquals(Map.of(), client.drainAll());
  }

  @Test
  void aServerAddedThroughPreviousServersShowsNoDrop() {
    List<URI> two = servers.subList(0, 2);
    Map<String, Long> expected = new HashMap<>();
    for (int i = 0; i < 300; i++) {
      expected.put("m" + i, i + 1L);
    }
    try (PlayCounterClient before = new PlayCounterClient(two);
        PlayCounterClient after = PlayCounterClient.builder().servers(servers)
            .previousServers(two).build();
        PlayCounterClient third = new PlayCounterClient(servers.subList(2, 3))) {
      assertEquals(expected, before.add(expected));
      List<String> ids = new ArrayList<>(expected.keySet());
      assertEquals(expected, after.counts(ids), "no drop the moment the list changes");
      String moved = ids.stream().filter(id -> after.router().serverFor(id).equals(servers.get(2)))
          .findFirst().orElseThrow();
      long was = expected.get(moved);
      assertEquals(was, after.count(moved));
      assertEquals(was + 1, after.increment(moved), "the play's answer sums both servers");
      assertEquals(1, third.count(moved), "the play went to the song's new server");
      expected.merge(moved, 1L, Long::sum);
      assertEquals(Map.of(moved, was + 3), after.add(Map.of(moved, 2L)));
      expected.merge(moved, 2L, Long::sum);
      assertEquals(expected, after.counts(ids));
      assertEquals(expected, after.counts(), "every server of both lists asked, summed");
      assertEquals(expected, after.drainAll());
      assertEquals(Map.of(), client.counts());
    }
  }

  @Test
  void aServerRemovedThroughPreviousServersIsStillReadAndDrained() {
    List<URI> two = servers.subList(0, 2);
    Map<String, Long> expected = new HashMap<>();
    for (int i = 0; i < 300; i++) {
      expected.put("r" + i, i + 1L);
    }
    try (PlayCounterClient after = PlayCounterClient.builder().servers(two)
        .previousServers(servers).build()) {
      assertEquals(expected, client.add(expected));
      String leaving = expected.keySet().stream()
          .filter(id -> client.router().serverFor(id).equals(servers.get(2)))
          .findFirst().orElseThrow();
      assertEquals(expected, after.counts(new ArrayList<>(expected.keySet())));
      assertEquals(expected.get(leaving) + 1, after.increment(leaving));
      expected.merge(leaving, 1L, Long::sum);
      assertEquals(servers, after.servers());
      assertEquals(expected, after.drainAll(), "the removed server drained too");
    }
  }

  @Test
  void failoverKeepsADeadServersSongsCountingOnTheirNextServer() {
    URI dead = URI.create("http://127.0.0.1:" + FreePort.next());
    List<URI> withDead = new ArrayList<>(servers);
    withDead.add(dead);
    try (PlayCounterClient failover = PlayCounterClient.builder().servers(withDead)
        .retryFor(Duration.ofMillis(300)).failover(true).build()) {
      Map<String, Long> expected = new HashMap<>();
      List<String> onDead = new ArrayList<>();
      for (int i = 0; onDead.size() < 20; i++) {
        String id = "f" + i;
        expected.put(id, 1L);
        assertEquals(1, failover.increment(id), id);
        if (failover.router().serverFor(id).equals(dead)) {
          onDead.add(id);
        }
      }
      Map<String, Long> bulk = new HashMap<>();
      onDead.forEach(id -> bulk.put(id, 2L));
      bulk.put("f0", 2L);
      Map<String, Long> after = failover.add(bulk);
      bulk.forEach((id, plays) -> expected.merge(id, plays, Long::sum));
      assertEquals(Set.copyOf(bulk.keySet()), after.keySet());
      bulk.keySet().forEach(id -> assertEquals(expected.get(id), after.get(id), id));
      assertEquals(expected, failover.counts(new ArrayList<>(expected.keySet())));
      assertEquals(expected, client.counts(), "every play on a live server");
      assertEquals(0, failover.possibleDoubles(), "a refused connection counted nothing");
      for (String id : onDead) {
        URI next = failover.router().ranking(id).get(1);
        assertEquals(3, new PlayCounterClient(List.of(next)).count(id), id);
      }
    }
  }

  @Test
  void stoppedServerGivesExceptionWithPartialResults() throws IOException {
    URI dead = URI.create("http://127.0.0.1:" + FreePort.next());
    List<URI> withDead = new ArrayList<>(servers);
    withDead.add(dead);
    PlayCounterClient partial = PlayCounterClient.builder().servers(withDead)
        .retryFor(Duration.ofMillis(200)).build();
    Map<String, Long> live = new HashMap<>();
    String lost = null;
    for (int i = 0; lost == null || live.size() < 40; i++) {
      String id = "s" + i;
      if (partial.router().serverFor(id).equals(dead)) {
        lost = id;
      } else {
        assertEquals(1, partial.increment(id));
        live.put(id, 1L);
      }
    }
    String onDead = lost;
    PlayCounterException unreachable = assertThrows(PlayCounterException.class,
        () -> partial.increment(onDead));
    assertEquals(dead, unreachable.server());
    assertEquals(-1, unreachable.status());

    PlayCounterException e = assertThrows(PlayCounterException.class, partial::counts);
    assertNull(e.server());
    assertEquals(live, e.partialResults());
    assertEquals(Set.of(dead), e.failures().keySet());
    assertEquals(-1, e.failures().get(dead).status());
    assertEquals(live, client.counts(), "no play failed over to a live server");
  }

  /**
   * The built client jar with nothing else on the class path, as an application would take it:
   * a program run from source plays twice and reads its counts back, and the jar carries
   * HttpClient 5 and slf4j only under {@code org.playcounter.client.shaded}.
   */
  @Test
  void theClientJarAloneCountsAgainstARealServer() throws Exception {
    Path jar = Path.of(System.getProperty("playcounter.client.jar"));
    try (JarFile contents = new JarFile(jar.toFile())) {
      List<String> unshaded = contents.stream().map(JarEntry::getName)
          .filter(name -> name.endsWith(".class") && !name.startsWith("org/playcounter/"))
          .toList();
      assertEquals(List.of(), unshaded);
    }
    Path source = Files.createTempDirectory("client-jar").resolve("Probe.java");
    Files.writeString(source, String.join("\n",
        "import java.net.URI;",
        "import java.util.List;",
        "import org.playcounter.client.PlayCounterClient;",
        "public class Probe {",
        "  public static void main(String[] args) {",
        "    try (PlayCounterClient client = PlayCounterClient.builder()",
        "        .servers(URI.create(args[0])).build()) {",
        "      System.out.println(client.increment(\"jar\") + \" \" + client.increment(\"jar\")",
        "          + \" \" + client.counts(List.of(\"jar\", \"none\")));",
        "    }",
        "  }",
        "}"));
    Process probe = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "-cp", jar.toString(), source.toString(), servers.get(0).toString())
        .redirectErrorStream(true).start();
    assertTrue(probe.waitFor(60, TimeUnit.SECONDS), "the probe did not end within 60 s");
    String output = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, probe.exitValue(), output);
    assertEquals("1 2 {jar=2, none=0}", output.strip());
  }
}
