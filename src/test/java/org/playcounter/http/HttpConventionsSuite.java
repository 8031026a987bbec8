package org.playcounter.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.util.List;
import java.util.Map;
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
    for (String path : List.of("/health", "/health/live", "/metrics")) {
      request().options(path).then().statusCode(204).header("Allow", "GET, HEAD, OPTIONS");
    }
  }

  @Test
  void livenessTakesReadsOnlyAndAnswersOk() {
    expectText(request().get("/health/live"), 200, "OK");
    request().head("/health/live").then().statusCode(200).body(emptyString());
    for (String method : List.of("POST", "DELETE", "PUT")) {
      request().request(method, "/health/live").then().statusCode(405)
          .header("Allow", "GET, HEAD, OPTIONS").body(equalTo("Method Not Allowed"));
    }
    request().get("/health/live/x").then().statusCode(404);
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

  /** Two {@code Accept} lines are one list (RFC 9110 section 5.3), whichever comes first. */
  @Test
  void acceptLinesAreReadAsOneList() throws IOException {
    request().post("/song/1");
    for (String lines : List.of("Accept: image/png\r\nAccept: application/json\r\n",
        "Accept: application/json;q=0.5\r\nAccept: text/plain;q=0.1\r\n")) {
      String answer = RawHttp.exchange(root, "GET " + root.getRawPath() + "/song/1 HTTP/1.1\r\n"
          + "Host: x\r\nConnection: close\r\n" + lines + "\r\n");
      assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
      assertTrue(answer.contains("Content-Type: application/json"), answer);
      assertTrue(answer.endsWith("\r\n\r\n{\"id\":\"1\",\"count\":1}"), answer);
    }
  }

  /**
   * Empty list elements are no preference ({@code Accept: ,} is text, as no Accept), and a
   * {@code q} that is no RFC 9110 qvalue ({@code 0x1p-1}, {@code 1e0}) makes its range match
   * nothing.
   */
  @Test
  void emptyAcceptElementsAreIgnoredAndQMustBeAQvalue() {
    request().post("/song/1");
    expectText(request().header("Accept", ",").get("/song/1"), 200, "1");
    expectText(request().header("Accept", " , ,").contentType("text/plain").body("5=1")
        .post("/"), 200, "5=1");
    request().header("Accept", ", application/json").get("/song/1").then().contentType(JSON);
    request().header("Accept", "application/json;q=0x1p-1").get("/song/1").then()
        .statusCode(406);
    request().header("Accept", "application/json;q=1e0, text/plain;q=0.5").get("/song/1")
        .then().statusCode(200).contentType(textPlain());
    request().header("Accept", "application/json;q=0.501, text/plain;q=0.5").get("/song/1")
        .then().statusCode(200).contentType(JSON);
  }

  /**
   * {@code DELETE /} answers in the negotiated format as every other request does: {@code OK}
   * as text (the original API, byte for byte), {@code {"deleted":true}} in JSON.
   */
  @Test
  void deleteAllAnswersInTheNegotiatedFormat() {
    request().post("/song/1");
    request().header("Accept", JSON).delete("/").then().statusCode(200).contentType(JSON)
        .body(equalTo("{\"deleted\":true}"));
    expectText(request().get("/"), 200, "");
    request().post("/song/1");
    expectText(request().delete("/"), 200, "OK");
    expectText(request().get("/"), 200, "");
  }

  /**
   * A query parameter the resource does not take is a one-line 400, counted once in the request
   * metrics, under its route: {@code /metrics} takes only {@code name[]}.
   */
  @ParameterizedTest
  @ValueSource(strings = {"/metrics?debug=foo", "/metrics?debug=prometheus-protobuf",
      "/metrics?name%5B%5D=playcounter_songs&debug=text", "/song/1?x=1", "/health?verbose",
      "/drains?all=1"})
  void unknownQueryParameterIs400CountedOnce(String target) {
    String route = target.substring(1, target.indexOf('?')).replace("/1", "");
    Map<String, Double> before = metrics();
    Response response = request().get(target);
    response.then().statusCode(400).contentType(textPlain()).header("Cache-Control", "no-store")
        .body(startsWith("query parameter \""));
    assertFalse(response.asString().contains("\n"), response.asString());
    String series = "playcounter_requests_total{route=\"" + route + "\",status=\"4xx\"}";
    Map<String, Double> after = awaitCounted(before, series);
    assertEquals(1, delta(before, after, series), target);
    assertEquals(1, delta(before, after, "playcounter_rejected_total{reason=\"bad_query\"}"));
    for (String status : List.of("4xx", "5xx")) {
      assertEquals(0, delta(before, after,
          "playcounter_requests_total{route=\"other\",status=\"" + status + "\"}"), target);
    }
    assertEquals(0, delta(before, after, "playcounter_requests_total{route=\"metrics\","
        + "status=\"5xx\"}"), target);
  }

  @Test
  void metricsNameFilterAnswersOnlyTheSeriesAsked() {
    String text = request().get("/metrics?name%5B%5D=playcounter_songs").then().statusCode(200)
        .extract().asString();
    assertTrue(text.contains("\nplaycounter_songs 0.0\n"), text);
    assertFalse(text.contains("playcounter_plays_total"), text);
  }

  /** The document the WAR was built with, byte for byte, in every deployment. */
  @Test
  void openapiDocumentIsServedAsJson() throws IOException {
    byte[] document;
    try (java.io.InputStream in = getClass().getResourceAsStream(OpenApiFilter.RESOURCE)) {
      document = in.readAllBytes();
    }
    Response get = request().get("/openapi.json");
    get.then().statusCode(200).contentType(JSON).header("Cache-Control", "no-store")
        .header("Content-Length", String.valueOf(document.length))
        .body("openapi", equalTo("3.1.0"));
    assertTrue(java.util.Arrays.equals(document, get.asByteArray()), "the resource as it is");
    request().head("/openapi.json").then().statusCode(200).contentType(JSON)
        .header("Content-Length", String.valueOf(document.length)).body(emptyString());
    request().options("/openapi.json").then().statusCode(204).header("Allow",
        "GET, HEAD, OPTIONS");
    request().post("/openapi.json").then().statusCode(405).header("Allow", "GET, HEAD, OPTIONS");
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
