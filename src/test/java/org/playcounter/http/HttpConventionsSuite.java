package org.playcounter.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Section 3 of the contract, HTTP conventions: HEAD, OPTIONS, {@code no-store} and exact lengths,
 * content negotiation, DELETE of a song, two deployments, {@code /health} and {@code /metrics}.
 */
abstract class HttpConventionsSuite extends DeploymentSuite {
  HttpConventionsSuite(Supplier<ServletContainer> container, String contextPath) {
    super(container, contextPath);
  }

  @Test
  void headHasTheHeadersOfGetAndNoBody() {
    request().post("/song/7");
    Response get = request().get("/song/7");
    Response head = request().head("/song/7");
    head.then().statusCode(200).contentType(textPlain()).header("Cache-Control", "no-store")
        .header("Content-Length", get.header("Content-Length")).body(emptyString());
    request().head("/").then().statusCode(200).header("Content-Length", "3")
        .body(emptyString());
    expectText(request().get("/song/7"), 200, "1");
  }

  @Test
  void optionsIs204WithAllow() {
    for (String path : List.of("/", "/song/1")) {
      request().options(path).then().statusCode(204).header("Allow", ALLOW)
          .header("Cache-Control", "no-store");
    }
    request().options("/song/a!b").then().statusCode(400);
  }

  @Test
  void everyResponseIsNoStoreWithExactLength() {
    request().post("/song/1");
    List<Response> responses = List.of(request().get("/song/1"), request().post("/song/1"),
        request().get("/"), request().get("/nope"), request().put("/"),
        request().get("/song/!"), request().header("Accept", "image/png").get("/"),
        request().delete("/song/1"));
    for (Response response : responses) {
      response.then().header("Cache-Control", "no-store");
      assertEquals(String.valueOf(response.asByteArray().length),
          response.header("Content-Length"), response.statusLine());
    }
  }

  @Test
  void acceptApplicationJsonGivesJson() {
    RequestSpecification json = request().header("Accept", JSON);
    json.get("/song/1").then().statusCode(200).contentType(JSON)
        .body(equalTo("{\"id\":\"1\",\"count\":0}"));
    request().header("Accept", JSON).post("/song/1").then().statusCode(200).contentType(JSON)
        .body(equalTo("{\"id\":\"1\",\"count\":1}"));
    request().post("/song/5");
    request().header("Accept", JSON).get("/").then().statusCode(200).contentType(JSON)
        .body(anyOf(equalTo("{\"1\":1,\"5\":1}"), equalTo("{\"5\":1,\"1\":1}")));
    request().header("Accept", JSON).get("/song/!").then().statusCode(400).contentType(JSON)
        .body(startsWith("{\"error\":\"song id contains '!'"));
    request().header("Accept", "text/html, application/json;q=0.9, */*;q=0.1").get("/song/1")
        .then().contentType(JSON);
    request().header("Accept", "application/*").get("/song/1").then().contentType(JSON);
    request().header("Accept", "text/*, application/json;q=0.5").get("/song/1")
        .then().contentType(textPlain());
  }

  @ParameterizedTest
  @ValueSource(strings = {"image/png", "text/html", "application/xml, text/html;q=0.9",
      "text/plain;q=0, application/json;q=0", "application/json;q=0, text/*;q=0"})
  void unacceptableAcceptIs406AndChangesNothing(String accept) {
    request().header("Accept", accept).post("/song/1").then().statusCode(406)
        .contentType(textPlain());
    request().header("Accept", accept).delete("/").then().statusCode(406);
    request().post("/song/2");
    request().header("Accept", accept).delete("/song/2").then().statusCode(406);
    expectText(request().get("/"), 200, "2=1");
  }

  @Test
  void deleteSongAnswersTheCountItHad() {
    request().post("/song/3");
    request().post("/song/3");
    request().post("/song/4");
    expectText(request().delete("/song/3"), 200, "2");
    expectText(request().delete("/song/3"), 200, "0");
    expectText(request().get("/"), 200, "4=1");
    request().header("Accept", JSON).delete("/song/4").then()
        .body(equalTo("{\"id\":\"4\",\"count\":1}"));
  }

  @Test
  void twoDeploymentsCountIndependently() {
    given().baseUri(second.toString()).post("/song/1").then().body(equalTo("1"));
    given().baseUri(second.toString()).post("/song/1").then().body(equalTo("2"));
    expectText(request().post("/song/1"), 200, "1");
    given().baseUri(second.toString()).get("/").then().body(equalTo("1=2"));
    expectText(request().get("/"), 200, "1=1");
    given().baseUri(second.toString()).get("/nope").then().statusCode(404)
        .body(equalTo("Not Found"));
  }

  /**
   * {@code /health} and {@code /metrics} are playcounter's in every deployment, the root one
   * included: on Payara Micro that takes the recipe in the README (its MicroProfile endpoints
   * moved away), which the container harness applies.
   */
  @Test
  void healthAndMetricsArePlaycountersOwn() {
    expectText(request().get("/health"), 200, "OK");
    request().post("/song/1");
    request().get("/metrics").then().statusCode(200)
        // Tomcat drops the spaces between parameters: text/plain;version=0.0.4;charset=utf-8
        .contentType(matchesPattern("text/plain; ?version=0\\.0\\.4.*"))
        .body(containsString("\nplaycounter_songs 1.0\n"));
  }
}
