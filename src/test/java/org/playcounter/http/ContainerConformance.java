package org.playcounter.http;

import io.restassured.RestAssured;
import io.restassured.filter.Filter;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.TestInstance;

/**
 * One container of the matrix: started once with the built WAR at {@code /} and at
 * {@code /playcounter}, and every suite of the contract ({@link DeploymentSuite}) run against
 * each deployment, every answer they receive through REST Assured held to the OpenAPI document
 * ({@link OpenApiFilter}). A subclass per container only names it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ContainerConformance {
  private final ServletContainer.Kind kind;
  private ServletContainer container;
  /** REST Assured's filters before this container's suites added the document's. */
  private List<Filter> filtersBefore;

  ContainerConformance(ServletContainer.Kind kind) {
    this.kind = kind;
  }

  @BeforeAll
  void startContainer() throws IOException {
    Map<String, String> settings = new java.util.HashMap<>(settings());
    settings.putAll(KEY_SETTINGS);
    container = ServletContainer.start(kind, settings, "/", "/playcounter");
    filtersBefore = List.copyOf(RestAssured.filters());
    RestAssured.filters(OpenApiFilter.served("/playcounter"));
  }

  /** The settings both deployments run with, as system properties of the container. */
  Map<String, String> settings() throws IOException {
    return Map.of("playcounter.max-body-bytes", "2000000");
  }

  /** What every deployment of the matrix runs with, besides {@link #settings}: small key bounds. */
  static final Map<String, String> KEY_SETTINGS = Map.of(
      "playcounter.idempotency-window-ms", Long.toString(IdempotencySuite.WINDOW_MS),
      "playcounter.max-idempotency-keys", Long.toString(IdempotencySuite.MAX_KEYS),
      "playcounter.max-idempotency-answer-bytes",
      Long.toString(IdempotencySuite.MAX_ANSWER_BYTES));

  @AfterAll
  void stopContainer() throws IOException {
    if (filtersBefore != null) {
      RestAssured.replaceFiltersWith(filtersBefore);
    }
    if (container != null) {
      container.close();
    }
    cleanUp();
  }

  /** Removes what {@link #settings} made, once the container is stopped. */
  void cleanUp() throws IOException {}

  /**
   * The container for the suites at {@code contextPath}, once started; null for the suites this
   * configuration does not run.
   */
  ServletContainer containerFor(String contextPath) {
    return contextPath.equals("/") || atEveryPath() ? container : null;
  }

  /**
   * True to run every suite against both deployments; a durable configuration runs them at
   * {@code /} only, since what differs at another context path is the plain matrix's to prove.
   */
  boolean atEveryPath() {
    return true;
  }

  // Every suite of the contract, against the WAR deployed as ROOT.war and as playcounter.war.

  @Nested
  class OriginalApiAtRoot extends OriginalApiSuite {
    OriginalApiAtRoot() {
      super(() -> containerFor("/"), "/");
    }
  }

  @Nested
  class OriginalApiAtContextPath extends OriginalApiSuite {
    OriginalApiAtContextPath() {
      super(() -> containerFor("/playcounter"), "/playcounter");
    }
  }

  @Nested
  class SongIdsAtRoot extends SongIdSuite {
    SongIdsAtRoot() {
      super(() -> containerFor("/"), "/");
    }
  }

  @Nested
  class SongIdsAtContextPath extends SongIdSuite {
    SongIdsAtContextPath() {
      super(() -> containerFor("/playcounter"), "/playcounter");
    }
  }

  @Nested
  class HttpConventionsAtRoot extends HttpConventionsSuite {
    HttpConventionsAtRoot() {
      super(() -> containerFor("/"), "/");
    }
  }

  @Nested
  class HttpConventionsAtContextPath extends HttpConventionsSuite {
    HttpConventionsAtContextPath() {
      super(() -> containerFor("/playcounter"), "/playcounter");
    }
  }

  @Nested
  class OneStepDrainAtRoot extends OneStepDrainSuite {
    OneStepDrainAtRoot() {
      super(() -> containerFor("/"), "/");
    }
  }

  @Nested
  class OneStepDrainAtContextPath extends OneStepDrainSuite {
    OneStepDrainAtContextPath() {
      super(() -> containerFor("/playcounter"), "/playcounter");
    }
  }

  @Nested
  class BulkAddAtRoot extends BulkAddSuite {
    BulkAddAtRoot() {
      super(() -> containerFor("/"), "/");
    }
  }

  @Nested
  class BulkAddAtContextPath extends BulkAddSuite {
    BulkAddAtContextPath() {
      super(() -> containerFor("/playcounter"), "/playcounter");
    }
  }

  @Nested
  class ConcurrencyAtRoot extends ConcurrencySuite {
    ConcurrencyAtRoot() {
      super(() -> containerFor("/"), "/");
    }
  }

  @Nested
  class ConcurrencyAtContextPath extends ConcurrencySuite {
    ConcurrencyAtContextPath() {
      super(() -> containerFor("/playcounter"), "/playcounter");
    }
  }

  @Nested
  class DrainsAtRoot extends DrainsSuite {
    DrainsAtRoot() {
      super(() -> containerFor("/"), "/");
    }
  }

  @Nested
  class DrainsAtContextPath extends DrainsSuite {
    DrainsAtContextPath() {
      super(() -> containerFor("/playcounter"), "/playcounter");
    }
  }

  @Nested
  class ManyCountsAtRoot extends ManyCountsSuite {
    ManyCountsAtRoot() {
      super(() -> containerFor("/"), "/");
    }
  }

  @Nested
  class ManyCountsAtContextPath extends ManyCountsSuite {
    ManyCountsAtContextPath() {
      super(() -> containerFor("/playcounter"), "/playcounter");
    }
  }

  /** Idempotency keys, at {@code /} only: the key table is the deployment's, not its path's. */
  @Nested
  class KeysAtRoot extends IdempotencySuite {
    KeysAtRoot() {
      super(() -> containerFor("/"), "/");
    }
  }
}
