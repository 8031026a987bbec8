package org.playcounter.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RendezvousRouterTest {
  private static final int SONGS = 100_000;
  private static final URI A = URI.create("http://10.0.0.1:8080");
  private static final URI B = URI.create("http://10.0.0.2:8080");
  private static final URI C = URI.create("http://10.0.0.3:8080");

  /** The README's table: a client in another language must route these identically. */
  @ParameterizedTest
  @CsvSource({
      "1,            27e5d51f7cbc3557, 25561efba97be347, 6354f81ef2073e30, http://10.0.0.3:8080",
      "2,            1458a64e3c42bce2, 3a884e5d226e8ea2, 70a430ca19516a33, http://10.0.0.3:8080",
      "3,            a3bc690735a1a472, 9e470694019e8fdc, 43fb9f48e7cfa602, http://10.0.0.1:8080",
      "6,            0c1fad0324e897ed, e064ed67426cff6f, bbbcf1b63d2431c1, http://10.0.0.2:8080",
      "14,           b76946e26a240d39, c5fea639a1ba6657, 8552e3a83b6e8b7d, http://10.0.0.2:8080",
      "42,           8e5b2d652604ac1d, 0aaf106928d77804, 48dce080395c4d5a, http://10.0.0.1:8080",
      "abc,          bd8c97e7549667be, 59a877de43aeea3e, ebb739420bc5b7dc, http://10.0.0.3:8080",
      "song-7,       164f87e9a594e3d1, 3a7c1bc386563282, 41bf78aa181f788b, http://10.0.0.3:8080",
      "USRC17607839, 17375c51c67dd239, 5c2a7d37093a4300, f8a89ea0cf4a53a7, http://10.0.0.3:8080",
  })
  void pinnedVectorsRouteAsDocumented(String id, String scoreA, String scoreB, String scoreC,
      String owner) {
    assertEquals(scoreA, String.format("%016x", RendezvousRouter.score(A.toString(), id)));
    assertEquals(scoreB, String.format("%016x", RendezvousRouter.score(B.toString(), id)));
    assertEquals(scoreC, String.format("%016x", RendezvousRouter.score(C.toString(), id)));
    assertEquals(URI.create(owner), new RendezvousRouter(List.of(A, B, C)).serverFor(id));
  }

  @Test
  void serverKeysAreNormalizedBaseUris() {
    RendezvousRouter router = new RendezvousRouter(List.of(
        URI.create("HTTP://Counter-A.example/playcounter/"),
        URI.create("https://counter-b.example"),
        URI.create("http://counter-c.example:8080/playcounter")));
    assertEquals(List.of(
        URI.create("http://counter-a.example:80/playcounter"),
        URI.create("https://counter-b.example:443"),
        URI.create("http://counter-c.example:8080/playcounter")), router.servers());
    assertEquals(URI.create("http://counter-c.example:8080/playcounter"), router.serverFor("1"));
    assertEquals(URI.create("https://counter-b.example:443"), router.serverFor("2"));
    assertEquals(URI.create("http://counter-a.example:80/playcounter"), router.serverFor("3"));
  }

  @Test
  void addingServerMovesAtMostAShareOntoTheNewServer() {
    List<URI> servers = servers(13);
    String[] before = route(new RendezvousRouter(servers.subList(0, 1)));
    for (int n = 1; n <= 12; n++) {
      URI added = servers.get(n);
      String[] after = route(new RendezvousRouter(servers.subList(0, n + 1)));
      int moved = 0;
      for (int i = 0; i < SONGS; i++) {
        if (!after[i].equals(before[i])) {
          moved++;
          assertEquals(added.toString(), after[i], "song " + i + " moved between old servers");
        }
      }
      double bound = 1.15 / (n + 1) * SONGS;
      assertTrue(moved <= bound, n + " -> " + (n + 1) + " servers moved " + moved + " > " + bound);
      before = after;
    }
  }

  @Test
  void removingServerMovesOnlyItsSongs() {
    List<URI> servers = servers(10);
    String[] before = route(new RendezvousRouter(servers));
    for (URI removed : servers) {
      List<URI> rest = new ArrayList<>(servers);
      rest.remove(removed);
      String[] after = route(new RendezvousRouter(rest));
      for (int i = 0; i < SONGS; i++) {
        if (!before[i].equals(removed.toString())) {
          assertEquals(before[i], after[i], "song " + i + " moved off a remaining server");
        }
      }
    }
  }

  @Test
  void tenServersEachHoldWithinTenPercentOfTheMean() {
    Map<String, Integer> held = new HashMap<>();
    for (String server : route(new RendezvousRouter(servers(10)))) {
      held.merge(server, 1, Integer::sum);
    }
    assertEquals(10, held.size());
    double mean = SONGS / 10.0;
    held.forEach((server, songs) -> assertTrue(Math.abs(songs - mean) <= 0.10 * mean,
        server + " holds " + songs + ", mean " + mean));
  }

  @Test
  void routingIgnoresServerListOrder() {
    List<URI> servers = servers(7);
    String[] expected = route(new RendezvousRouter(servers));
    Random random = new Random(42);
    for (int round = 0; round < 3; round++) {
      List<URI> shuffled = new ArrayList<>(servers);
      Collections.shuffle(shuffled, random);
      assertEquals(List.of(expected), List.of(route(new RendezvousRouter(shuffled))));
    }
  }

  @Test
  void equalServersInAnotherSpellingRouteAlike() {
    RendezvousRouter plain = new RendezvousRouter(List.of(URI.create("http://h:80"), URI.create("https://h")));
    RendezvousRouter spelled = new RendezvousRouter(List.of(URI.create("HTTP://H/"),
        URI.create("https://h:443//")));
    for (int i = 0; i < 1_000; i++) {
      assertEquals(plain.serverFor("s" + i), spelled.serverFor("s" + i));
    }
  }

  @Test
  void emptyServerListIsRejected() {
    assertEquals("no servers: []", assertThrows(IllegalArgumentException.class,
        () -> new RendezvousRouter(List.of())).getMessage());
  }

  @Test
  void duplicateServersAreRejectedAfterNormalization() {
    assertEquals("duplicate server: http://a:1", assertThrows(IllegalArgumentException.class,
        () -> new RendezvousRouter(List.of(URI.create("http://a:1"), URI.create("http://a:1"))))
        .getMessage());
    assertEquals("duplicate server: http://h", assertThrows(IllegalArgumentException.class,
        () -> new RendezvousRouter(List.of(URI.create("http://h:80"), URI.create("http://h"))))
        .getMessage());
    assertThrows(IllegalArgumentException.class, () -> new RendezvousRouter(
        List.of(URI.create("http://h:8080/app"), URI.create("http://H:8080/app/"))));
  }

  @ParameterizedTest
  @ValueSource(strings = {"ftp://h:21", "file:///tmp/x", "h:8080", "mailto:someone@example.com",
      "127.0.0.1"})
  void nonHttpServersAreRejected(String server) {
    assertEquals("server URI is not http or https: " + server,
        assertThrows(IllegalArgumentException.class,
            () -> new RendezvousRouter(List.of(URI.create(server)))).getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"http:///playcounter", "http:h", "http://bad_host:8080"})
  void serversWithoutHostAreRejected(String server) {
    assertEquals("server URI has no host: " + server,
        assertThrows(IllegalArgumentException.class,
            () -> new RendezvousRouter(List.of(URI.create(server)))).getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://h/?x=1", "http://h/#top", "http://user:pw@h"})
  void serversWithQueryFragmentOrUserInfoAreRejected(String server) {
    assertThrows(IllegalArgumentException.class,
        () -> new RendezvousRouter(List.of(URI.create(server))));
  }

  private static List<URI> servers(int n) {
    List<URI> servers = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      servers.add(URI.create("http://10.0.0." + i + ":8080"));
    }
    return servers;
  }

  /** The server of each of the songs {@code "0"} to {@code "99999"}, as strings. */
  private static String[] route(RendezvousRouter router) {
    String[] owners = new String[SONGS];
    for (int i = 0; i < SONGS; i++) {
      owners[i] = router.serverFor(Integer.toString(i)).toString();
    }
    return owners;
  }

  @Test
  void rankingStartsWithTheSongsServerAndGoesOnInTheOrderOfRemovals() {
    List<URI> servers = servers(5);
    RendezvousRouter router = new RendezvousRouter(servers);
    for (int i = 0; i < 500; i++) {
      String id = "song-" + i;
      List<URI> ranking = router.ranking(id);
      assertEquals(servers.size(), Set.copyOf(ranking).size());
      List<URI> left = new ArrayList<>(servers);
      for (URI expected : ranking) {
        assertEquals(new RendezvousRouter(left).serverFor(id), expected, id);
        left.remove(expected);
      }
    }
  }
}
