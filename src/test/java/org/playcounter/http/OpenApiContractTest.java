package org.playcounter.http;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link OpenApiFilter} against answers made up here: what the document describes passes, and an
 * undocumented status, header, content type or body fails, as does a route taken out of the
 * document.
 */
class OpenApiContractTest {
  private static final String TEXT = "text/plain;charset=UTF-8";
  private final OpenApiFilter filter = OpenApiFilter.served("/playcounter");

  private static Map<String, String> headers(String contentType, String... more) {
    Map<String, String> headers = new java.util.HashMap<>(Map.of("cache-control", "no-store"));
    if (contentType != null) {
      headers.put("content-type", contentType);
    }
    for (int i = 0; i < more.length; i += 2) {
      headers.put(more[i], more[i + 1]);
    }
    return headers;
  }

  @Test
  void documentedAnswersPass() {
    assertEquals(List.of(), filter.problems("GET", "/song/1", 200, headers(TEXT), "3"));
    assertEquals(List.of(), filter.problems("GET", "/song/1", 200,
        headers("application/json"), "{\"id\":\"1\",\"count\":3}"));
    assertEquals(List.of(), filter.problems("GET", "/", 200, headers(TEXT), "1=1,5=2"));
    assertEquals(List.of(), filter.problems("GET", "/", 200, headers(TEXT), ""));
    assertEquals(List.of(), filter.problems("HEAD", "/song/1", 200, headers(TEXT), ""));
    assertEquals(List.of(), filter.problems("OPTIONS", "/drains", 204,
        headers(null, "allow", "GET, HEAD, POST, OPTIONS"), ""));
    assertEquals(List.of(), filter.problems("POST", "/drains", 201,
        headers(TEXT, "location", "/playcounter/drains/3"), "1=2"));
    assertEquals(List.of(), filter.problems("PUT", "/", 405,
        headers(TEXT, "allow", "GET, HEAD, POST, DELETE, OPTIONS"), "Method Not Allowed"));
    assertEquals(List.of(), filter.problems("GET", "/x/y", 404, headers(TEXT), "Not Found"));
    assertEquals(List.of(), filter.problems("GET", "/health", 200, headers(TEXT),
        "OK; warning: full: 10 songs held, max-songs is 10; new songs are refused"));
    assertEquals(List.of(), filter.problems("GET", "/health/live", 200, headers(TEXT), "OK"));
  }

  @Test
  void undocumentedAnswersFailSayingWhy() {
    assertEquals(List.of("status 201 is not documented for GET /song/1 (documented: [200, 400,"
        + " 406])"), filter.problems("GET", "/song/1", 201, headers(TEXT), "3"));
    assertTrue(filter.problems("GET", "/song/1", 200, headers(TEXT), "three").get(0)
        .startsWith("body: "), "a body that is no count");
    assertTrue(filter.problems("GET", "/song/1", 200, headers("application/json"),
        "{\"id\":\"1\"}").get(0).contains("count"), "JSON without its count");
    assertEquals(List.of("content type text/html is not documented (documented:"
        + " [text/plain;charset=UTF-8, application/json])"),
        filter.problems("GET", "/song/1", 400, headers("text/html"), "<html>"));
    assertEquals(List.of("header allow is not documented for this answer"),
        filter.problems("GET", "/song/1", 200, headers(TEXT, "allow", "GET"), "3"));
    assertEquals(List.of("header Allow is missing"),
        filter.problems("PUT", "/", 405, headers(TEXT), "Method Not Allowed"));
    assertEquals(List.of("header Cache-Control is missing"),
        filter.problems("GET", "/song/1", 200, Map.of("content-type", TEXT), "3"));
    assertTrue(filter.problems("GET", "/song/1", 400, headers(TEXT), "two\nlines").get(0)
        .startsWith("body: "), "an error of two lines");
  }

  /** Patterns run on joni, which backtracks on the heap: java.util.regex would overflow here. */
  @Test
  void aLongCountsBodyIsCheckedWholeWithoutOverflowingTheStack() {
    StringBuilder body = new StringBuilder("s0=1");
    for (int i = 1; i < 200_000; i++) {
      body.append(",s").append(i).append('=').append(i);
    }
    assertEquals(List.of(), filter.problems("GET", "/", 200, headers(TEXT), body.toString()));
    body.append(",bad=");
    assertEquals(1, filter.problems("GET", "/", 200, headers(TEXT), body.toString()).size());
    assertEquals(1, filter.problems("GET", "/", 200, headers(TEXT), "1=1\nx").size(),
        "a pattern's $ is the end of the body, not of a line");
  }

  @Test
  void removingARouteFromTheDocumentFailsItsAnswers() {
    ObjectNode document = (ObjectNode) OpenApiFilter.served();
    assertEquals(List.of(), new OpenApiFilter(document).problems("POST", "/song/1", 200,
        headers(TEXT), "1"));
    ((ObjectNode) document.path("paths")).remove("/song/{id}");
    assertEquals(List.of("status 200 is not documented for POST /song/1 (documented: [400,"
        + " 404])"), new OpenApiFilter(document).problems("POST", "/song/1", 200, headers(TEXT),
        "1"));
  }

  @Test
  void contextPathsAreCutOffBeforeMatching() {
    assertEquals("/song/1", filter.path("http://127.0.0.1:8080/playcounter/song/1?x=1"));
    assertEquals("/", filter.path("http://127.0.0.1:8080/playcounter"));
    assertEquals("/", filter.path("http://127.0.0.1:8080/"));
    assertEquals("/playcounterx", filter.path("http://127.0.0.1:8080/playcounterx"));
  }

  /** Through REST Assured, as the suites send: the filter fails the request that got it. */
  @Test
  void filterFailsTheRequestThatReceivedAnUndocumentedAnswer() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(),
        0), 0);
    server.createContext("/", exchange -> {
      byte[] body = exchange.getRequestURI().getPath().equals("/song/1") ? "1".getBytes(
          StandardCharsets.US_ASCII) : "<html>oops</html>".getBytes(StandardCharsets.US_ASCII);
      exchange.getResponseHeaders().set("Cache-Control", "no-store");
      exchange.getResponseHeaders().set("Content-Type", body.length == 1 ? TEXT : "text/html");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    try {
      String base = "http://127.0.0.1:" + server.getAddress().getPort();
      given().baseUri(base).filter(filter).get("/song/1").then().statusCode(200);
      AssertionError e = assertThrows(AssertionError.class,
          () -> given().baseUri(base).filter(filter).get("/song/2/x"));
      assertTrue(e.getMessage().startsWith("OpenAPI document: GET " + base + "/song/2/x answered"
          + " HTTP/1.1 200 OK text/html \"<html>oops</html>\": status 200 is not documented"),
          e.getMessage());
    } finally {
      server.stop(0);
    }
  }
}
