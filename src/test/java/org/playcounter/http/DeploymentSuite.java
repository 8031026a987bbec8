package org.playcounter.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.net.URI;
import java.util.Map;
import java.util.function.Supplier;
import org.hamcrest.Matcher;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.playcounter.wire.CountsFormat;
import org.playcounter.wire.MalformedCountsException;

/**
 * One deployment of the built WAR in a real container, as the contract's suites see it: the
 * container is started by {@link ContainerConformance} with the WAR deployed twice, at {@code /}
 * and at {@code /playcounter}; each suite runs once against each deployment, and the other one
 * shows that two deployments count independently. Counts start empty for every test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DeploymentSuite {
  static final String TEXT = "text/plain;charset=UTF-8";
  static final String JSON = "application/json";
  static final String ALLOW = "GET, HEAD, POST, DELETE, OPTIONS";

  /** The container this suite runs against, started before the suite's first test. */
  private final Supplier<ServletContainer> container;
  /** The context path of the deployment under test; the other one is the second deployment. */
  private final String contextPath;
  URI root;
  URI second;

  DeploymentSuite(Supplier<ServletContainer> container, String contextPath) {
    this.container = container;
    this.contextPath = contextPath;
  }

  ServletContainer container() {
    return container.get();
  }

  String contextPath() {
    return contextPath;
  }

  ServletContainer.Server server() {
    return container().kind().server();
  }

  @BeforeAll
  void findDeployments() {
    assumeTrue(container() != null, "this configuration runs the suites at / only");
    root = container().uri(contextPath());
    second = container().uri(contextPath().equals("/") ? "/playcounter" : "/");
  }

  @BeforeEach
  void emptyCounters() {
    given().baseUri(root.toString()).delete("/").then().statusCode(200);
    given().baseUri(second.toString()).delete("/").then().statusCode(200);
  }

  RequestSpecification request() {
    return given().baseUri(root.toString()).urlEncodingEnabled(false);
  }

  static Matcher<String> textPlain() {
    // Byte for byte on every container (Jetty runs with HttpGenerator.STRICT, see the README).
    return equalTo(TEXT);
  }

  Response post(String path, String body) {
    return request().contentType("text/plain").body(body).post(path);
  }

  static void expectText(Response response, int status, String body) {
    response.then().statusCode(status).contentType(textPlain()).body(equalTo(body))
        .header("Cache-Control", "no-store")
        .header("Content-Length", String.valueOf(body.length()));
  }

  static Map<String, Long> parse(String text) {
    return parse(CountsFormat.TEXT, text);
  }

  static Map<String, Long> parse(CountsFormat format, String body) {
    try {
      return format.parse(body, Long.MAX_VALUE);
    } catch (MalformedCountsException e) {
      throw new AssertionError(e.getMessage() + " in " + body.substring(0,
          Math.min(200, body.length())));
    }
  }
}
