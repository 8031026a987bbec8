package org.playcounter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class RouteTest {
  @Test
  void routesThatTakeNoQueryRefuseEveryNamedParameter() {
    for (Route route : new Route[] {Route.SONG, Route.DRAINS, Route.DRAIN, Route.HEALTH,
        Route.LIVENESS, Route.OPENAPI}) {
      assertNull(route.queryProblem(null));
      assertNull(route.queryProblem(""));
      assertNull(route.queryProblem("&"));
      assertEquals("query parameter \"x\" is not taken here: this resource takes no query"
          + " parameters", route.queryProblem("x=1"));
    }
  }

  @Test
  void metricsTakesOnlyTheNameFilter() {
    assertNull(Route.METRICS.queryProblem("name[]=a&name%5B%5D=b"));
    assertEquals("query parameter \"debug\" is not taken here: /metrics takes only name[]",
        Route.METRICS.queryProblem("name[]=a&debug=prometheus-protobuf"));
    assertEquals("malformed percent-escape in the query string",
        Route.METRICS.queryProblem("%zz=1"));
    assertEquals("query parameter \"" + "x".repeat(40) + "...\" is not taken here: /metrics"
        + " takes only name[]", Route.METRICS.queryProblem("x".repeat(500)));
  }

  @Test
  void livenessIsItsOwnPathOfReadsOnly() {
    assertEquals(Route.LIVENESS, Route.of("/health/live"));
    assertEquals(Route.NONE, Route.of("/health/live/"));
    assertEquals("GET, HEAD, OPTIONS", Route.LIVENESS.allow());
    assertEquals(false, Route.LIVENESS.allows("POST"));
    assertEquals("health_live", Route.LIVENESS.label());
  }

  @Test
  void everySongKeepsItsOwnQueryRules() {
    assertNull(Route.SONGS.queryProblem("id=1&debug=x"));
  }
}
