package org.playcounter.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlacementTest {
  private static final URI A = URI.create("http://a:1");
  private static final URI B = URI.create("http://b:1");
  private static final URI C = URI.create("http://c:1");
  private static final URI D = URI.create("http://d:1");

  @Test
  void withoutPreviousListOrFailoverEverySongHasItsOneServer() {
    Placement placement = new Placement(router(A, B, C), null, false);
    assertTrue(placement.direct());
    for (int i = 0; i < 1_000; i++) {
      String id = "s" + i;
      assertEquals(List.of(placement.router().serverFor(id)), placement.holders(id));
      assertNull(placement.fallback(id));
    }
    assertEquals(List.of(A, B, C), placement.servers());
  }

  @Test
  void aSongThatMovedIsHeldByItsNewAndItsOldServer() {
    Placement placement = new Placement(router(A, B, C, D), router(A, B, C), false);
    assertFalse(placement.direct());
    int moved = 0;
    for (int i = 0; i < 4_000; i++) {
      String id = "s" + i;
      URI now = router(A, B, C, D).serverFor(id);
      URI before = router(A, B, C).serverFor(id);
      List<URI> expected = now.equals(before) ? List.of(now) : List.of(now, before);
      assertEquals(expected, placement.holders(id), id);
      moved += now.equals(before) ? 0 : 1;
    }
    assertTrue(moved > 800 && moved < 1_200, "about a quarter moved to D: " + moved);
    assertEquals(List.of(A, B, C, D), placement.servers());
  }

  @Test
  void removingAServerKeepsItAmongTheServersAskedUntilThePreviousListGoes() {
    Placement placement = new Placement(router(A, B), router(A, B, C), false);
    assertEquals(List.of(A, B, C), placement.servers());
    for (int i = 0; i < 1_000; i++) {
      String id = "s" + i;
      if (router(A, B, C).serverFor(id).equals(C)) {
        assertEquals(List.of(router(A, B).serverFor(id), C), placement.holders(id), id);
      }
    }
  }

  @Test
  void failoverSendsPlaysWhereTheSongGoesWhenItsServerIsRemoved() {
    Placement placement = new Placement(router(A, B, C), null, true);
    for (int i = 0; i < 1_000; i++) {
      String id = "s" + i;
      List<URI> ranking = router(A, B, C).ranking(id);
      assertEquals(Set.of(A, B, C), Set.copyOf(ranking));
      assertEquals(ranking.get(0), placement.owner(id));
      assertEquals(ranking.get(1), placement.fallback(id));
      List<URI> rest = ranking.get(0).equals(A) ? List.of(B, C)
          : ranking.get(0).equals(B) ? List.of(A, C) : List.of(A, B);
      assertEquals(new RendezvousRouter(rest).serverFor(id), placement.fallback(id), id);
      assertEquals(ranking.subList(0, 2), placement.holders(id));
    }
  }

  @Test
  void failoverWithOneServerDoesNothing() {
    Placement placement = new Placement(router(A), null, true);
    assertTrue(placement.direct());
    assertFalse(placement.failover());
    assertEquals(List.of(A), placement.holders("s"));
  }

  @Test
  void aServerMarkedDownIsPassedOverThenProbedByOneCallASecond() throws InterruptedException {
    Placement placement = new Placement(router(A, B), null, true);
    assertEquals(Placement.State.UP, placement.state(A));
    placement.markDown(A, noAnswer());
    assertTrue(placement.isDown(A));
    assertEquals(Placement.State.DOWN, placement.state(A));
    Thread.sleep(Placement.PROBE_NANOS / 1_000_000 + 50);
    assertEquals(Placement.State.PROBE, placement.state(A));
    assertEquals(Placement.State.DOWN, placement.state(A), "one probe a second, not two");
    placement.markUp(A);
    assertEquals(Placement.State.UP, placement.state(A));
    assertFalse(placement.isDown(A));
  }

  @Test
  void onlyNoAnswerOrA503MarksAServerDown() {
    Placement on = new Placement(router(A, B), null, true);
    assertTrue(on.downBy(noAnswer(), false));
    assertTrue(on.downBy(new PlayCounterException(A, 503, "stopping", null), false));
    assertFalse(on.downBy(noAnswer(), true), "a closed client says nothing of the server");
    assertFalse(on.downBy(new PlayCounterException(A, 507, "full", null), false));
    assertFalse(on.downBy(new PlayCounterException(A, -1, "interrupted", null), false));
    assertFalse(new Placement(router(A, B), null, false).downBy(noAnswer(), false));
  }

  @Test
  void possibleDoublesAreCounted() {
    Placement placement = new Placement(router(A, B), null, true);
    placement.possibleDouble("s", A, B);
    placement.possibleDouble("t", A, B);
    assertEquals(2, placement.possibleDoubles());
  }

  private static PlayCounterException noAnswer() {
    return new PlayCounterException(A, -1, "refused", new IOException("refused"));
  }

  private static RendezvousRouter router(URI... servers) {
    return new RendezvousRouter(List.of(servers));
  }
}
