package org.playcounter.http;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Every suite of {@link ContainerConformance} against durable deployments, run at {@code /}: the
 * WAR at {@code /} and at {@code /playcounter}, each journaling into a data directory of its own
 * ({@code data-dir=.../{context}}) with the given fsync mode. A subclass per container and mode.
 */
abstract class DurableConformance extends ContainerConformance {
  private final String fsync;
  private Path dataDir;

  DurableConformance(ServletContainer.Kind kind, String fsync) {
    super(kind);
    this.fsync = fsync;
  }

  @Override
  Map<String, String> settings() throws IOException {
    dataDir = Files.createTempDirectory("playcounter-durable-");
    return Map.of("playcounter.max-body-bytes", "2000000",
        "playcounter.data-dir", dataDir.resolve("{context}").toString(),
        "playcounter.fsync", fsync);
  }

  @Override
  boolean atEveryPath() {
    return false;
  }

  @Override
  void cleanUp() throws IOException {
    try (Stream<Path> files = Files.walk(dataDir)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
  }
}
