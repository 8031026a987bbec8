package org.playcounter.http;

import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import io.restassured.response.Response;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Section 1 of the contract, the original API, byte for byte: the curl session, 405 with {@code
 * Allow}, 404 for every other path.
 */
abstract class OriginalApiSuite extends DeploymentSuite {
  OriginalApiSuite(Supplier<ServletContainer> container, String contextPath) {
    super(container, contextPath);
  }

  @Test
  void curlSessionOfTheContractReproducesExactly() {
    expectText(request().get("/song/1"), 200, "0");
    expectText(request().post("/song/1"), 200, "1");
    expectText(request().get("/song/1"), 200, "1");
    expectText(request().post("/song/5"), 200, "1");
    expectText(request().post("/song/5"), 200, "2");
    Response all = request().get("/");
    all.then().statusCode(200).contentType(textPlain())
        .body(anyOf(equalTo("1=1,5=2"), equalTo("5=2,1=1")));
    expectText(request().delete("/"), 200, "OK");
    expectText(request().get("/"), 200, "");
    expectText(request().get("/song/5"), 200, "0");
  }

  @Test
  void wrongMethodIs405WithAllow() {
    for (String path : List.of("/", "/song/1")) {
      for (String method : List.of("PUT", "PATCH", "FOO")) {
        request().request(method, path).then().statusCode(405).header("Allow", ALLOW)
            .contentType(textPlain()).body(equalTo("Method Not Allowed"));
      }
    }
    expectText(request().get("/song/1"), 200, "0");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/x", "/song", "/songs/1", "/Song/1", "/error", "/index.html",
      "/WEB-INF/web.xml", "/WEB-INF/", "/META-INF/MANIFEST.MF", "/META-INF/", "/favicon.ico",
      "/WEB-INF/classes/org/playcounter/server/PlayCounterServlet.class"})
  void everyOtherPathIs404WithPlainBody(String path) {
    // WildFly's Undertow answers /WEB-INF/ and /META-INF/ itself, with a one-line HTML 404,
    // before any error page applies.
    if (server() == ServletContainer.Server.WILDFLY && path.matches("/(WEB|META)-INF/.*")) {
      containerRequest().get(path).then().statusCode(404)
          .body(not(containsString("Exception")));
      return;
    }
    for (String method : List.of("GET", "POST")) {
      request().request(method, path).then().statusCode(404).contentType(textPlain())
          .body(equalTo("Not Found")).header("Cache-Control", "no-store");
    }
    // Jetty renders error pages for GET, POST and HEAD only: a DELETE of a protected path
    // gets its bare 404. No container page, in any case.
    containerRequest().delete(path).then().statusCode(404).body(not(containsString("<")));
  }
}
