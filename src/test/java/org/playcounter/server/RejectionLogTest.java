package org.playcounter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RejectionLogTest {
  @Test
  void containerErrorIsLoggedWithTheStatusItWasAnswered() {
    List<String> lines = new ArrayList<>();
    RejectionLog log = new RejectionLog(lines::add);
    log.record(Rejection.CONTAINER, 500, "500 Internal Server Error");
    log.record(Rejection.BAD_QUERY, "query parameter \"debug\" is not taken here");
    assertEquals(List.of("playcounter rejected 1 request as container (500) since the last"
        + " report; latest: 500 Internal Server Error", "playcounter rejected 1 request as"
        + " bad_query (400) since the last report; latest: query parameter \"debug\" is not"
        + " taken here"), lines);
  }
}
