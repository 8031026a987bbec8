package org.playcounter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.playcounter.store.PlayCountStore;

class SongsQueryTest {
  private final PlayCountStore store = new PlayCountStore(1_000);

  @Test
  void aQueryWithoutIdIsEverySongWhateverElseItHolds() {
    for (String query : new String[] {null, "", "&", "x=1", "debug", "%zz=1", "idx=1", "ID=1",
        "i+d=1", "ids=1&x"}) {
      SongsQuery parsed = SongsQuery.of(query, "GET");
      assertTrue(parsed.everySong(), query);
      assertNull(parsed.problem(), query);
    }
    assertTrue(SongsQuery.of("x=1", "DELETE").everySong());
  }

  @Test
  void idsAreAnsweredInTheOrderAskedEachRepeatOnceAtItsFirstPlace() throws IOException {
    store.increment("42");
    store.increment("42");
    store.increment("1");
    assertEquals(List.of("42=2", "5=0", "1=1"), read("id=42&id=5&id=42&id=1&id=5"));
    assertEquals(List.of("7=0"), read("id=7"));
  }

  @Test
  void idsAreDecodedAsAPathSegmentIs() throws IOException {
    store.increment("1");
    store.increment("a.b");
    assertEquals(List.of("1=1", "a.b=1"), read("%69d=%31&id=a%2Eb&&"));
    assertProblem("id=a+b", Rejection.BAD_SONG_ID,
        "id 1 (\"a+b\"): song id contains '+' (allowed: A-Z a-z 0-9 - . _ ~)");
    assertProblem("id=a%20b", Rejection.BAD_SONG_ID,
        "id 1 (\"a%20b\"): song id contains ' ' (allowed: A-Z a-z 0-9 - . _ ~)");
    assertProblem("id=1&id=%zz", Rejection.BAD_SONG_ID,
        "id 2 (\"%zz\"): song id has a malformed percent-escape");
    assertProblem("id=%2E%2E", Rejection.BAD_SONG_ID, "id 1 (\"%2E%2E\"): song id '..' is a"
        + " dot-segment, which clients remove from a path before sending");
    assertProblem("id=.", Rejection.BAD_SONG_ID, "id 1 (\".\"): song id '.' is a dot-segment,"
        + " which clients remove from a path before sending");
    assertProblem("id=a%2Fb", Rejection.BAD_SONG_ID,
        "id 1 (\"a%2Fb\"): song id must be a single path segment");
  }

  @Test
  void idsThatSpellTheFormatsWordsAreSongsLikeAnyOther() throws IOException {
    for (String id : new String[] {"drain", "begin", "key", "version", "snapshot", "id", "3"}) {
      store.increment(id);
    }
    assertEquals(List.of("drain=1", "id=1", "begin=1", "3=1", "snapshot=1", "key=1",
        "version=1", "end=0"), read("id=drain&id=id&id=begin&id=3&id=snapshot&id=key"
            + "&id=version&id=end"));
  }

  @Test
  void anEmptyIdIsRefusedWhereverItIs() {
    assertProblem("id=", Rejection.BAD_SONG_ID, "id 1 (\"\"): song id is empty");
    assertProblem("id", Rejection.BAD_SONG_ID, "id 1 (\"\"): song id is empty");
    assertProblem("id=1&id=", Rejection.BAD_SONG_ID, "id 2 (\"\"): song id is empty");
  }

  @Test
  void theFirstProblemIsTheOneNamed() {
    assertProblem("id=1&id=a!b&x=1", Rejection.BAD_SONG_ID,
        "id 2 (\"a!b\"): song id contains '!' (allowed: A-Z a-z 0-9 - . _ ~)");
    assertProblem("id=1&x=1&id=a!b", Rejection.BAD_QUERY,
        "query parameter \"x\" is not taken with id: GET / takes only id parameters, one a song");
    assertProblem("x&id=1", Rejection.BAD_QUERY,
        "query parameter \"x\" is not taken with id: GET / takes only id parameters, one a song");
    assertProblem("id=1&=2", Rejection.BAD_QUERY,
        "query parameter \"\" is not taken with id: GET / takes only id parameters, one a song");
    assertProblem("id=1&%zz=2", Rejection.BAD_QUERY,
        "malformed percent-escape in the query string");
    assertProblem("id=" + "x".repeat(129), Rejection.BAD_SONG_ID, "id 1 (\"" + "x".repeat(40)
        + "...\"): song id is longer than 128 characters");
  }

  @Test
  void atMostAThousandIdsRepeatsIncluded() throws IOException {
    StringBuilder query = new StringBuilder("id=0");
    for (int i = 1; i < SongsQuery.MAX_IDS; i++) {
      query.append("&id=").append(i);
    }
    assertEquals(1_000, read(query.toString()).size());
    assertProblem(query + "&id=1000", Rejection.BAD_QUERY,
        "more than 1000 id parameters: ask for at most 1000 songs a request");
    assertProblem(query + "&id=0", Rejection.BAD_QUERY,
        "more than 1000 id parameters: ask for at most 1000 songs a request");
    assertEquals(1, read("id=9&id=9&id=9").size());
  }

  @Test
  void pendingDrainsAreCountedAsGetOfOneSongCountsThem() throws IOException {
    store.increment("a");
    store.increment("a");
    store.createDrain(8);
    store.increment("a");
    assertEquals(3, store.get("a"));
    assertEquals(List.of("a=3"), read("id=a"));
  }

  @Test
  void writesToEverySongRefuseIdsAndChangeNothing() {
    assertProblem("id=1", "POST", Rejection.BAD_QUERY, "query parameter \"id\" is taken by GET"
        + " and HEAD only: POST / acts on the songs of its body, not those named; nothing was"
        + " changed");
    assertProblem("x=1&id=1", "DELETE", Rejection.BAD_QUERY, "query parameter \"id\" is taken"
        + " by GET and HEAD only: DELETE / acts on every song, not those named; nothing was"
        + " changed");
    assertFalse(SongsQuery.of("id=1", "HEAD").everySong());
  }

  private List<String> read(String query) throws IOException {
    SongsQuery parsed = SongsQuery.of(query, "GET");
    assertNull(parsed.problem(), query);
    assertFalse(parsed.everySong());
    List<String> pairs = new ArrayList<>();
    Map<String, Long> seen = new LinkedHashMap<>();
    parsed.counts(store).forEach((id, count) -> {
      pairs.add(id + "=" + count);
      assertNull(seen.put(id, count), "answered twice: " + id);
    });
    return pairs;
  }

  private static void assertProblem(String query, Rejection rejection, String problem) {
    assertProblem(query, "GET", rejection, problem);
  }

  private static void assertProblem(String query, String method, Rejection rejection,
      String problem) {
    SongsQuery parsed = SongsQuery.of(query, method);
    assertFalse(parsed.everySong(), query);
    assertEquals(problem, parsed.problem(), query);
    assertEquals(rejection, parsed.rejection(), query);
  }
}
