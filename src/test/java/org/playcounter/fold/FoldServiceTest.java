package org.playcounter.fold;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fold job's systemd units pass {@code systemd-analyze verify} without a warning (skipped
 * where it is missing), the cron line runs the service's very command, and that command's lock
 * turns a second run away with exit status 75 while the first holds it.
 */
class FoldServiceTest {
  private static final Path UNITS = Path.of("src/main/systemd");
  private static final Path SYSTEMD_ANALYZE = Path.of("/usr/bin/systemd-analyze");
  private static final String LOCK = "/var/lib/playcounter-fold/fold.lock";

  @TempDir
  Path dir;

  @Test
  void unitsPassSystemdAnalyzeVerifyWithoutAWarning() throws Exception {
    assumeTrue(Files.isExecutable(SYSTEMD_ANALYZE), "no " + SYSTEMD_ANALYZE);
    for (String unit : List.of("playcounter-fold.service", "playcounter-fold.timer")) {
      Files.copy(UNITS.resolve(unit), dir.resolve(unit));
    }
    // verify also checks that ExecStart's program (/usr/bin/flock) exists and is executable.
    Run verify = run(SYSTEMD_ANALYZE.toString(), "verify",
        dir.resolve("playcounter-fold.service").toString(),
        dir.resolve("playcounter-fold.timer").toString());
    assertEquals(0, verify.exit, verify.output);
    assertEquals("", verify.output);
  }

  @Test
  void serviceIsAOneshotOnTheHourlyPersistentTimer() throws IOException {
    String service = Files.readString(UNITS.resolve("playcounter-fold.service"));
    String timer = Files.readString(UNITS.resolve("playcounter-fold.timer"));
    for (String line : List.of("Type=oneshot", "EnvironmentFile=/etc/playcounter/fold.env",
        "SuccessExitStatus=75")) {
      assertTrue(service.contains("\n" + line + "\n"), line);
    }
    for (String line : List.of("OnCalendar=hourly", "Persistent=true",
        "Unit=playcounter-fold.service", "WantedBy=timers.target")) {
      assertTrue(timer.contains("\n" + line + "\n"), line);
    }
  }

  @Test
  void cronLineRunsTheServicesCommand() throws IOException {
    String command = execStart();
    assertTrue(command.startsWith("/usr/bin/flock --nonblock --conflict-exit-code 75 " + LOCK
        + " /usr/bin/java "), command);
    String cron = Files.readString(UNITS.resolve("playcounter-fold.cron"));
    assertTrue(cron.contains("\n0 * * * * playcounter ") && cron.contains(command), cron);
    String env = Files.readString(UNITS.resolve("fold.env.example"));
    for (String variable : List.of("PLAYCOUNTER_FOLD_OPTIONS=", "JAVA_OPTS=",
        Options.DB_PASSWORD_ENV + "=", Options.ADMIN_TOKEN_ENV + "=")) {
      assertTrue(env.contains("\n" + variable), variable);
    }
  }

  @Test
  void secondRunWhileTheLockIsHeldExits75AndRunsOnceItIsFree() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/flock")), "no /usr/bin/flock");
    String lock = dir.resolve("fold.lock").toString();
    String prefix = execStart();
    // The service's own lock command, on a lock file of the test's, running `true` for the job.
    List<String> second = new ArrayList<>(List.of(prefix.substring(0,
        prefix.indexOf(LOCK)).trim().split(" ")));
    second.addAll(List.of(lock, "/bin/true"));
    // One process holds it, the shell that becomes sleep, so that destroying it frees the lock.
    Process first = new ProcessBuilder("/bin/sh", "-c", "exec 9>\"$0\" && /usr/bin/flock 9"
        + " && echo held && exec sleep 30", lock).redirectErrorStream(true).start();
    try {
      BufferedReader said = new BufferedReader(new InputStreamReader(first.getInputStream(),
          StandardCharsets.UTF_8));
      assertEquals("held", said.readLine());
      Run refused = run(second.toArray(String[]::new));
      assertEquals(75, refused.exit, refused.output);
    } finally {
      first.destroy();
      assertTrue(first.waitFor(10, TimeUnit.SECONDS));
    }
    Run after = run(second.toArray(String[]::new));
    assertEquals(0, after.exit, after.output);
  }

  /** The service's {@code ExecStart} command line. */
  private static String execStart() throws IOException {
    return Files.readAllLines(UNITS.resolve("playcounter-fold.service")).stream()
        .filter(line -> line.startsWith("ExecStart=")).findFirst().orElseThrow()
        .substring("ExecStart=".length());
  }

  private static Run run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " took over 30 s");
    }
    return new Run(process.exitValue(),
        new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  /** A finished command's exit status and what it printed. */
  private record Run(int exit, String output) {}
}
