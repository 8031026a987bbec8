package org.playcounter.http;

import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.TestInstance;

/**
 * One container of the matrix: started once with the built WAR at {@code /} and at
 * {@code /playcounter}, and every suite of the contract ({@link DeploymentSuite}) run against
 * each deployment. A subclass per container only names it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ContainerConformance {
  private final ServletContainer.Kind kind;
  private ServletContainer container;

  ContainerConformance(ServletContainer.Kind kind) {
    this.kind = kind;
  }

  @BeforeAll
  void startContainer() throws IOException {
    Map<String, String> settings = new java.util.HashMap<>(settings());
    settings.putAll(KEY_SETTINGS);
    container = ServletContainer.start(kind, settings, "/", "/playcounter");
  }

  /** The settings both deployments run with, as system properties of the container. */
  Map<String, String> settings() throws IOException {
    return Map.of("playcounter.max-body-bytes", "2000000");
  }

  /** What every deployment of the matrix runs with, besides {@link #settings}: small key bounds. */
  static final Map<String, String> KEY_SETTINGS = Map.of(
      "playcounter.idempotency-window-ms", Long.toString(IdempotencySuite.WINDOW_MS),
      "playcounter.max-idempotency-keys", Long.toString(IdempotencySuite.MAX_KEYS));

  @AfterAll
  void stopContainer() throws IOException {
    if (container != null) {
      container.close();
    }
    cleanUp();
  }

  /** Removes what {@link #settings} made, once the container is stopped. */
  void cleanUp() throws IOException {}

  /** The container, once started. */
  ServletContainer container() {
    return container;
  }

  // Every suite of the contract, against the WAR deployed as ROOT.war and as playcounter.war.

  @Nested
  class OriginalApiAtRoot extends OriginalApiSuite {
    OriginalApiAtRoot() {
      super(ContainerConformance.this::container, "/");
    }
  }

  @Nested
  class OriginalApiAtContextPath extends OriginalApiSuite {
    OriginalApiAtContextPath() {
      super(ContainerConformance.this::container, "/playcounter");
    }
  }

  @Nested
  class SongIdsAtRoot extends SongIdSuite {
    SongIdsAtRoot() {
      super(ContainerConformance.this::container, "/");
    }
  }

  @Nested
  class SongIdsAtContextPath extends SongIdSuite {
    SongIdsAtContextPath() {
      super(ContainerConformance.this::container, "/playcounter");
    }
  }

  @Nested
  class HttpConventionsAtRoot extends HttpConventionsSuite {
    HttpConventionsAtRoot() {
      super(ContainerConformance.this::container, "/");
    }
  }

  @Nested
  class HttpConventionsAtContextPath extends HttpConventionsSuite {
    HttpConventionsAtContextPath() {
      super(ContainerConformance.this::container, "/playcounter");
    }
  }

  @Nested
  class OneStepDrainAtRoot extends OneStepDrainSuite {
    OneStepDrainAtRoot() {
      super(ContainerConformance.this::container, "/");
    }
  }

  @Nested
  class OneStepDrainAtContextPath extends OneStepDrainSuite {
    OneStepDrainAtContextPath() {
      super(ContainerConformance.this::container, "/playcounter");
    }
  }

  @Nested
  class BulkAddAtRoot extends BulkAddSuite {
    BulkAddAtRoot() {
      super(ContainerConformance.this::container, "/");
    }
  }

  @Nested
  class BulkAddAtContextPath extends BulkAddSuite {
    BulkAddAtContextPath() {
      super(ContainerConformance.this::container, "/playcounter");
    }
  }

  @Nested
  class ConcurrencyAtRoot extends ConcurrencySuite {
    ConcurrencyAtRoot() {
      super(ContainerConformance.this::container, "/");
    }
  }

  @Nested
  class ConcurrencyAtContextPath extends ConcurrencySuite {
    ConcurrencyAtContextPath() {
      super(ContainerConformance.this::container, "/playcounter");
    }
  }

  @Nested
  class DrainsAtRoot extends DrainsSuite {
    DrainsAtRoot() {
      super(ContainerConformance.this::container, "/");
    }
  }

  @Nested
  class DrainsAtContextPath extends DrainsSuite {
    DrainsAtContextPath() {
      super(ContainerConformance.this::container, "/playcounter");
    }
  }

  /** Idempotency keys, at {@code /} only: the key table is the deployment's, not its path's. */
  @Nested
  class KeysAtRoot extends IdempotencySuite {
    KeysAtRoot() {
      super(ContainerConformance.this::container, "/");
    }
  }
}
