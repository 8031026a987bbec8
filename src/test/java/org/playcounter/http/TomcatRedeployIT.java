package org.playcounter.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Undeploying the WAR from a running Tomcat, as an operator removing the file would, leaves no
 * thread or class-loader leak behind, and the WAR deploys again afterwards.
 */
class TomcatRedeployIT {
  private static final List<String> LEAK_SIGNS = List.of("memory leak", "failed to stop it",
      "threadlocal", "not been deregistered", "leak");

  @Test
  void undeployLeavesNoLeakWarningAndRedeployWorks() throws Exception {
    try (ServletContainer tomcat = ServletContainer.start(ServletContainer.Kind.TOMCAT_10_1,
        Map.of(), "/playcounter", "/other")) {
      String base = tomcat.uri("/playcounter").toString();
      given().baseUri(base).post("/song/1").then().statusCode(200).body(equalTo("1"));
      given().baseUri(base).header("Accept", "application/json").get("/").then().statusCode(200);
      given().baseUri(base).get("/metrics").then().statusCode(200); // the metrics library too

      tomcat.undeploy("/playcounter");
      tomcat.awaitUndeployed("/playcounter");
      assertEquals(404, given().baseUri(base).get("/song/1").statusCode());
      given().baseUri(tomcat.uri("/other").toString()).get("/song/1").then().statusCode(200);

      tomcat.deploy("/playcounter");
      tomcat.awaitDeployed("/playcounter");
      // A new deployment is a new store: memory-only counts start again from zero.
      given().baseUri(base).get("/song/1").then().statusCode(200).body(equalTo("0"));
      given().baseUri(base).post("/song/1").then().statusCode(200).body(equalTo("1"));

      String log = tomcat.log();
      assertTrue(log.contains("playcounter stopping"), "the undeploy was not logged:\n" + log);
      String lower = log.toLowerCase(Locale.ROOT);
      for (String sign : LEAK_SIGNS) {
        assertFalse(lower.contains(sign), "Tomcat warns of a leak (" + sign + "):\n" + log);
      }
    }
  }
}
