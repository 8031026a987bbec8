package org.playcounter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's promtool for the tests that check what Prometheus reads: a test without it skips,
 * unless the system property {@value #REQUIRED} is true (as {@code .ci/run} sets it): then it
 * fails.
 */
final class Promtool {
  /** Set to true, a missing promtool fails the test instead of skipping it. */
  static final String REQUIRED = "playcounter.require-promtool";
  private static final Path PROMTOOL = Path.of("/usr/bin/promtool");

  private Promtool() {}

  /** Skips the calling test, or fails it under {@value #REQUIRED}, without promtool. */
  static void assumeInstalled(String checks) {
    if (!Files.isExecutable(PROMTOOL)) {
      if (Boolean.getBoolean(REQUIRED)) {
        fail(REQUIRED + " is true, but there is no " + PROMTOOL);
      }
      assumeTrue(false, "no " + PROMTOOL + ": apt-get install prometheus (or run .ci/run) to"
          + " check " + checks + " with promtool");
    }
  }

  /**
   * Runs promtool with {@code input} on its standard input; it must exit 0 within 30 s. Returns
   * what it printed.
   */
  static String run(String input, String... arguments) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(PROMTOOL.toString()));
    command.addAll(List.of(arguments));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    try (OutputStream in = process.getOutputStream()) {
      in.write(input.getBytes(StandardCharsets.UTF_8));
    }
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail(command + " took over 30 s");
    }
    String said = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, process.exitValue(), command + ":\n" + said + "\non:\n" + input);
    return said;
  }
}
