package org.playcounter.http;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import io.restassured.response.Response;
import java.io.IOException;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Section 2 of the contract, song ids: bad ids (through REST Assured and as raw bytes) are 400 and
 * change nothing; case-sensitive strings; escapes of unreserved characters.
 */
abstract class SongIdSuite extends DeploymentSuite {
  SongIdSuite(Supplier<ServletContainer> container, String contextPath) {
    super(container, contextPath);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/song/", "/song/a/b", "/song/1/", "/song/a%20b", "/song/a+b",
      "/song/%C3%A9", "/song/a;b", "/song/a:b", "/song/a@b", "/song/a!b", "/song/a$b",
      "/song/a'b", "/song/a(b)", "/song/a*b", "/song/%7Ba%7D"})
  void badIdIs400WithOneLineReasonAndChangesNothing(String path) {
    request().post("/song/keep");
    for (String method : List.of("GET", "POST", "DELETE", "HEAD")) {
      Response response = request().request(method, path);
      assertEquals(400, response.statusCode(), method + " " + path);
      if (!method.equals("HEAD")) {
        String reason = response.asString();
        assertFalse(reason.isBlank(), "reason for " + path);
        assertFalse(reason.contains("\n"), "one line: " + reason);
        response.then().contentType(textPlain());
      }
    }
    expectText(request().get("/"), 200, "keep=1");
  }

  /** Targets that a container may reject itself, with its own 400, before playcounter runs. */
  @ParameterizedTest
  @ValueSource(strings = {"/song/a%2", "/song/%g1", "/song/%", "/song/a%2Fb", "/song/a b",
      "/song/a\u0001b", "/song/a%00b", "/song/a%25", "/song/%01", "/song/a%7F", "/song/a%5Cb"})
  void malformedRequestTargetIs400AndChangesNothing(String target) throws IOException {
    request().post("/song/keep");
    String answer = RawHttp.exchange(root, "POST " + root.getRawPath() + target + " HTTP/1.1\r\n"
        + "Host: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    String expected = containerStatusFor(target);
    assertTrue(answer.startsWith("HTTP/1.1 " + expected), target + ": " + answer);
    if (expected.equals("200")) {
      assertTrue(answer.endsWith("\r\n\r\n"), "no body: " + answer);
    }
    expectText(request().get("/"), 200, "keep=1");
  }

  /**
   * The status a container answers a request target it cannot parse with, before playcounter
   * runs: 400 everywhere but on Payara Micro, which answers a space in the target with 505 and
   * a malformed percent-escape with an empty 200 (its CoyoteAdapter logs the decoder's
   * exception as AS-WEB-CORE-00037 and ends the exchange without calling the servlet). Pinned
   * here and listed in the README; nothing is counted in any case.
   */
  private String containerStatusFor(String target) {
    if (server() == ServletContainer.Server.PAYARA) {
      if (target.contains(" ")) {
        return "505";
      }
      if (target.matches(".*%(?![0-9A-Fa-f]{2}).*")) {
        return "200";
      }
    }
    return "400";
  }

  /**
   * The dot-segment ids {@code .} and {@code ..}, plain or escaped, sent as raw bytes (a client
   * such as curl would have removed them): 400 naming the reason, with every method, and nothing
   * changes. Jetty 12 refuses an escaped dot-segment itself (its URI compliance: an ambiguous
   * path segment) with its own HTML 400 before playcounter sees it. Tomcat and WildFly resolve
   * {@code /playcounter/song/..} to the context root and redirect it to {@code /playcounter/}
   * themselves (302 or 307; only a client that follows a redirect with its method would then
   * remove anything). Payara Micro now and then answers {@code /song/..} at the root itself,
   * with the empty 200 of {@link #containerStatusFor} (seen once in CI on 2026-12-02, for a
   * POST); nothing is counted then either. Everywhere else the answer is playcounter's one line.
   */
  @ParameterizedTest
  @ValueSource(strings = {"..", ".", "%2E%2E", "%2e", ".%2E"})
  void dotSegmentIdIs400AndChangesNothing(String raw) throws IOException {
    request().post("/song/keep");
    String id = raw.replace("%2E", ".").replace("%2e", ".");
    boolean container = server() == ServletContainer.Server.JETTY && raw.contains("%");
    boolean redirected = id.equals("..") && !contextPath().equals("/")
        && (server() == ServletContainer.Server.TOMCAT
            || server() == ServletContainer.Server.WILDFLY);
    for (String method : List.of("GET", "POST", "DELETE")) {
      String answer = RawHttp.exchange(root, method + " " + root.getRawPath() + "/song/" + raw
          + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      if (redirected) {
        assertTrue(answer.matches("(?s)HTTP/1\\.1 30[27] .*"), method + " " + raw + ": " + answer);
        assertTrue(answer.matches("(?s).*\r\nLocation: [^\r]*" + contextPath() + "/\r\n.*"),
            answer);
        continue;
      }
      if (server() == ServletContainer.Server.PAYARA && answer.startsWith("HTTP/1.1 200 ")
          && answer.contains("\r\nContent-Length: 0\r\n") && !answer.contains("Cache-Control")) {
        continue; // Payara's own empty 200 (no Cache-Control: not playcounter's), now and then
      }
      assertTrue(answer.startsWith("HTTP/1.1 400"), method + " " + raw + ": " + answer);
      if (!container) {
        assertTrue(answer.endsWith("\r\n\r\nsong id '" + id + "' is a dot-segment, which clients"
            + " remove from a path before sending"), method + " " + raw + ": " + answer);
      }
    }
    expectText(request().get("/"), 200, "keep=1");
  }

  /**
   * A path with an empty segment is no resource of playcounter's: its own 404 where it sees the
   * request, Jetty 12's HTML 400 (an ambiguous empty segment) where Jetty refuses it first.
   */
  @Test
  void emptyPathSegmentIsRefusedAndChangesNothing() throws IOException {
    request().post("/song/keep");
    for (String method : List.of("GET", "POST", "DELETE")) {
      String answer = RawHttp.exchange(root, method + " " + root.getRawPath() + "//song/keep"
          + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      if (server() == ServletContainer.Server.JETTY) {
        assertTrue(answer.startsWith("HTTP/1.1 400"), method + ": " + answer);
      } else {
        assertTrue(answer.startsWith("HTTP/1.1 404"), method + ": " + answer);
        assertTrue(answer.endsWith("\r\n\r\nNot Found"), method + ": " + answer);
      }
    }
    expectText(request().get("/"), 200, "keep=1");
  }

  @Test
  void overlongIdIs400ButLongestIdCounts() {
    String longest = "a".repeat(128);
    expectText(request().post("/song/" + longest), 200, "1");
    request().post("/song/" + longest + "b").then().statusCode(400)
        .body(equalTo("song id is longer than 128 characters"));
    expectText(request().get("/"), 200, longest + "=1");
  }

  @Test
  void idsAreCaseSensitiveStrings() {
    request().post("/song/01");
    request().post("/song/abc");
    expectText(request().get("/song/1"), 200, "0");
    expectText(request().get("/song/ABC"), 200, "0");
    expectText(request().get("/song/01"), 200, "1");
  }

  @Test
  void unreservedCharactersAndTheirEscapesNameOneSong() {
    expectText(request().post("/song/A-z.0_9~"), 200, "1");
    expectText(request().post("/song/A%2Dz%2E0%5F9%7E"), 200, "2");
    expectText(request().get("/song/%31"), 200, "0");
    expectText(request().post("/song/%31"), 200, "1");
    expectText(request().get("/song/1"), 200, "1");
  }
}
