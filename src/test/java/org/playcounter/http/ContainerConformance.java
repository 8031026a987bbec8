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

  // The contract's suites, each against the WAR deployed as ROOT.war and as playcounter.war.

  @Nested
  class OriginalApiAtRoot extends OriginalApiSuite {
    @Override
    ServletContainer container() {
      return container;
    }

    @Override
    String contextPath() {
      return "/";
    }
  }

  @Nested
  class OriginalApiAtContextPath extends OriginalApiSuite {
    @Override
    ServletContainer container() {
      return container;
    }

    @Override
    String contextPath() {
      return "/playcounter";
    }
  }

  @Nested
  class SongIdsAtRoot extends SongIdSuite {
    @Override
    ServletContainer container() {
      return container;
    }

    @Override
    String contextPath() {
      return "/";
    }
  }

  @Nested
  class SongIdsAtContextPath extends SongIdSuite {
    @Override
    ServletContainer container() {
      return container;
    }

    @Override
    String contextPath() {
      return "/playcounter";
    }
  }

  @Nested
  class HttpConventionsAtRoot extends HttpConventionsSuite {
    @Override
    ServletContainer container() {
      return container;
    }

    @Override
    String contextPath() {
      return "/";
    }
  }

  @Nested
  class HttpConventionsAtContextPath extends HttpConventionsSuite {
    @Override
    ServletContainer container() {
      return container;
    }

    @Override
    String contextPath() {
      return "/playcounter";
    }
  }

  @Nested
  class OneStepDrainAtRoot extends OneStepDrainSuite {
    @Override
    ServletContainer container() {
      return container;
    }

    @Override
    String contextPath() {
      return "/";
    }
  }

  @Nested
  class OneStepDrainAtContextPath extends OneStepDrainSuite {
    @Override
    ServletContainer container() {
      return container;
    }

    @Override
    String contextPath() {
      return "/playcounter";
    }
  }

  @Nested
  class BulkAddAtRoot extends BulkAddSuite {
    @Override
    ServletContainer container() {
      return container;
    }

    @Override
    String contextPath() {
      return "/";
    }
  }

  @Nested
  class BulkAddAtContextPath extends BulkAddSuite {
    @Override
    ServletContainer container() {
      return container;
    }

    @Override
    String contextPath() {
      return "/playcounter";
    }
  }

  @Nested
  class ConcurrencyAtRoot extends ConcurrencySuite {
    @Override
    ServletContainer container() {
      return container;
    }

    @Override
    String contextPath() {
      return "/";
    }
  }

  @Nested
  class ConcurrencyAtContextPath extends ConcurrencySuite {
    @Override
    ServletContainer container() {
      return container;
    }

    @Override
    String contextPath() {
      return "/playcounter";
    }
  }

  /** Acknowledged drains, at {@code /}. */
  @Nested
  class DrainsAtRoot extends DrainsSuite {
    @Override
    ServletContainer container() {
      return container;
    }

    @Override
    String contextPath() {
      return "/";
    }
  }

  /** Acknowledged drains, at {@code /playcounter}: the {@code Location} carries the context. */
  @Nested
  class DrainsAtContextPath extends DrainsSuite {
    @Override
    ServletContainer container() {
      return container;
    }

    @Override
    String contextPath() {
      return "/playcounter";
    }
  }

  /** Idempotency keys, at {@code /}. */
  @Nested
  class KeysAtRoot extends IdempotencySuite {
    @Override
    ServletContainer container() {
      return container;
    }

    @Override
    String contextPath() {
      return "/";
    }
  }
}
