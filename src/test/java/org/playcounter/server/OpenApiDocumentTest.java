package org.playcounter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document as it is served: JSON of OpenAPI 3.1 naming every route with exactly the
 * methods it takes, and clean under a real OpenAPI linter, Redocly CLI, which {@code .ci/run}
 * installs (a missing linter skips that test unless {@code playcounter.require-redocly=true}).
 */
class OpenApiDocumentTest {
  /** Each route's path in the document. */
  private static final Map<Route, String> PATHS = Map.of(Route.SONGS, "/", Route.SONG,
      "/song/{id}", Route.DRAINS, "/drains", Route.DRAIN, "/drains/{n}", Route.HEALTH, "/health",
      Route.LIVENESS, "/health/live", Route.METRICS, "/metrics", Route.OPENAPI, "/openapi.json");
  private static final Path SOURCE =
      Path.of("src/main/resources/org/playcounter/server", OpenApiDocument.RESOURCE);
  private static final long LINT_TIMEOUT_S = 120;

  @Test
  void documentIsAsciiJsonOfOpenApi31() throws IOException {
    byte[] bytes = OpenApiDocument.load().bytes();
    assertTrue(new String(bytes, StandardCharsets.US_ASCII).chars().allMatch(c -> c < 0x80),
        "ASCII only: it is served with an exact length and no charset");
    JsonNode document = new ObjectMapper().readTree(bytes);
    assertEquals("3.1.0", document.path("openapi").asText());
    assertEquals("bearer", document.at("/components/securitySchemes/adminToken/scheme").asText());
  }

  @Test
  void everyRouteIsDocumentedWithTheMethodsItTakes() throws IOException {
    JsonNode paths = new ObjectMapper().readTree(OpenApiDocument.load().bytes()).path("paths");
    for (Route route : Route.values()) {
      if (route == Route.NONE) {
        continue;
      }
      JsonNode item = paths.path(PATHS.get(route));
      assertFalse(item.isMissingNode(), route + " is not in the document");
      List<String> documented = new ArrayList<>();
      item.fieldNames().forEachRemaining(name -> {
        if (!name.equals("parameters")) {
          documented.add(name.toUpperCase(Locale.ROOT));
        }
      });
      List<String> allowed = new ArrayList<>(Arrays.asList(route.allow().split(", ")));
      documented.sort(null);
      allowed.sort(null);
      assertEquals(allowed, documented, PATHS.get(route));
    }
  }

  @Test
  void documentLintsCleanWithRedocly() throws IOException, InterruptedException {
    Path redocly = Path.of(System.getProperty("playcounter.redocly",
        "target/redocly/node_modules/.bin/redocly"));
    boolean required = Boolean.getBoolean("playcounter.require-redocly");
    if (!Files.isExecutable(redocly)) {
      assertFalse(required, "Redocly CLI is not installed at " + redocly + " (.ci/run installs"
          + " it: npm install --prefix target/redocly @redocly/cli)");
      assumeTrue(false, "Redocly CLI is not installed at " + redocly + "; lint skipped");
    }
    Path output = Files.createTempFile("redocly-", ".txt");
    try {
      Process lint = new ProcessBuilder(redocly.toString(), "lint", "--format=stylish",
          "--config", "src/test/redocly.yaml", SOURCE.toString())
          .redirectErrorStream(true).redirectOutput(output.toFile()).start();
      if (!lint.waitFor(LINT_TIMEOUT_S, TimeUnit.SECONDS)) {
        lint.destroyForcibly();
        throw new AssertionError("redocly lint took over " + LINT_TIMEOUT_S + " s");
      }
      String report = Files.readString(output);
      assertEquals(0, lint.exitValue(), report);
      assertTrue(report.contains("Your API description is valid"), report);
      // A problem is a stylish line "  12:3  warning  rule  message"; the banner about the Node
      // version it runs on is none.
      assertFalse(report.matches("(?s).*\\n\\s*\\d+:\\d+\\s+(warning|error)\\s.*"), report);
      assertFalse(report.matches("(?s).*You have \\d+ warning.*"), report);
    } finally {
      Files.delete(output);
    }
  }
}
