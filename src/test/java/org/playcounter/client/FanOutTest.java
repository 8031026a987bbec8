package org.playcounter.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link FanOut}: merging the servers' counts loses nothing, not even past a long. */
class FanOutTest {
  private static final long MAX = Long.MAX_VALUE;

  @RegisterExtension
  final FakeServers servers = new FakeServers();

  @Test
  void mergeSumsASongOnTwoServersAndSaturatesPastALong() {
    Set<String> overflowed = new TreeSet<>();
    assertEquals(Map.of("a", 5L, "big", MAX, "c", 1L), FanOut.merge(List.of(
        Map.of("a", 2L, "big", MAX - 1), Map.of("a", 3L, "big", 2L), Map.of("big", MAX, "c", 1L)),
        overflowed));
    assertEquals(Set.of("big"), overflowed);
    Set<String> none = new TreeSet<>();
    assertEquals(Map.of("big", MAX), FanOut.merge(List.of(Map.of("big", MAX - 1),
        Map.of("big", 1L)), none));
    assertEquals(Set.of(), none);
  }

  @Test
  void drainAllWhoseMergePassesALongThrowsWithEveryServersCounts() {
    URI one = drainServer("big=" + MAX + ",x=1");
    URI two = drainServer("big=1,y=2");
    PlayCounterClient client = new PlayCounterClient(List.of(one, two));
    PlayCounterException e = assertThrows(PlayCounterException.class, client::drainAll);
    assertNull(e.server());
    assertEquals(Set.of("big"), e.overflowed());
    assertEquals(Map.of(), e.failures());
    assertEquals(Map.of("big", MAX, "x", 1L, "y", 2L), e.partialResults());
    assertEquals(Map.of(one, Map.of("big", MAX, "x", 1L), two, Map.of("big", 1L, "y", 2L)),
        e.serverResults(), "every drained count, exact");
    assertTrue(e.getMessage().startsWith("1 song's counts sum past 9223372036854775807 over the"
        + " servers (big)"), e.getMessage());
  }

  @Test
  void countsWhoseMergePassesALongThrowsTheSameWay() {
    URI one = drainServer("big=" + (MAX - 5));
    URI two = drainServer("big=6");
    PlayCounterException e = assertThrows(PlayCounterException.class,
        new PlayCounterClient(List.of(one, two))::counts);
    assertEquals(Set.of("big"), e.overflowed());
    assertEquals(Map.of("big", MAX), e.partialResults());
    assertEquals(Map.of(one, Map.of("big", MAX - 5), two, Map.of("big", 6L)), e.serverResults());
  }

  /** A server that answers every request, a drain too, with {@code body}. */
  private URI drainServer(String body) {
    return servers.start(exchange -> {
      exchange.getRequestBody().readAllBytes();
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain;charset=UTF-8");
      exchange.getResponseHeaders().set("Preference-Applied", "return=representation");
      exchange.sendResponseHeaders(200, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    });
  }
}
