package org.playcounter.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.TestInstance;

/**
 * The whole {@link ConformanceSuite} against durable deployments: the WAR at {@code /} and at
 * {@code /playcounter}, each journaling into a data directory of its own
 * ({@code data-dir=.../{context}}) with the given fsync mode. A subclass per container and mode.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DurableConformance {
  private final ServletContainer.Kind kind;
  private final String fsync;
  private ServletContainer container;
  private Path dataDir;

  DurableConformance(ServletContainer.Kind kind, String fsync) {
    this.kind = kind;
    this.fsync = fsync;
  }

  @BeforeAll
  void startContainer() throws IOException {
    dataDir = Files.createTempDirectory("playcounter-durable-");
    container = ServletContainer.start(kind, Map.of("playcounter.max-body-bytes", "2000000",
        "playcounter.data-dir", dataDir.resolve(Settings.CONTEXT).toString(),
        "playcounter.fsync", fsync), "/", "/playcounter");
  }

  @AfterAll
  void stopContainer() throws IOException {
    if (container != null) {
      container.close();
    }
    try (Stream<Path> files = Files.walk(dataDir)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
  }

  /** The WAR deployed as {@code ROOT.war}, journaling into {@code ROOT}. */
  @Nested
  class AtRoot extends ConformanceSuite {
    @Override
    ServletContainer container() {
      return container;
    }

    @Override
    String contextPath() {
      return "/";
    }
  }

  /** The WAR deployed as {@code playcounter.war}, journaling into {@code playcounter}. */
  @Nested
  class AtContextPath extends ConformanceSuite {
    @Override
    ServletContainer container() {
      return container;
    }

    @Override
    String contextPath() {
      return "/playcounter";
    }
  }
}
