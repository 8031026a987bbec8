package org.playcounter.fold;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for one test class, started from the newest Debian server binaries
 * ({@code /usr/lib/postgresql/<version>/bin}) with trust authentication and without fsync, and
 * stopped by {@link #close} (immediate shutdown, then by process id); otherwise as
 * {@link DatabaseServer} says. PostgreSQL refuses to run as root, so as root every command runs
 * as the {@code postgres} user, which then owns the directory.
 */
final class PostgresServer extends DatabaseServer {
  /** The database user: the superuser initdb made, trusted without a password. */
  static final String USER = "postgres";
  /** Set to true, a missing PostgreSQL fails the tests instead of skipping them. */
  static final String REQUIRED = "playcounter.require-postgres";
  /** Why the PostgreSQL tests were skipped. */
  static final String MISSING = "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin:"
      + " apt-get install postgresql (or run .ci/run) to run the PostgreSQL tests";

  private static final Path INSTALLED = Path.of("/usr/lib/postgresql");
  private static final long COMMAND_SECONDS = 60;

  private final Path bin;
  private final Path data;
  private final boolean asPostgres = System.getProperty("user.name").equals("root");

  private PostgresServer(Path bin) throws IOException {
    super("postgres", USER);
    this.bin = bin;
    this.data = base.resolve("data");
  }

  /**
   * Starts a server, or returns null when none is installed and {@value #REQUIRED} is not true.
   *
   * @throws IOException if the server is installed but did not start
   */
  static PostgresServer startIfInstalled() throws IOException {
    Optional<Path> bin = newestBin();
    if (bin.isEmpty()) {
      return notInstalled(REQUIRED, MISSING);
    }
    return started(new PostgresServer(bin.get()));
  }

  /** The {@code bin} directory of the newest PostgreSQL installed, by major version. */
  private static Optional<Path> newestBin() throws IOException {
    if (!Files.isDirectory(INSTALLED)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(INSTALLED)) {
      return versions
          .filter(version -> version.getFileName().toString().matches("\\d+(\\.\\d+)?"))
          .map(version -> version.resolve("bin"))
          .filter(bin -> Files.isExecutable(bin.resolve("initdb"))
              && Files.isExecutable(bin.resolve("pg_ctl")))
          .max(Comparator.comparingDouble(
              bin -> Double.parseDouble(bin.getParent().getFileName().toString())));
    }
  }

  @Override
  void start() throws IOException {
    if (asPostgres) {
      Files.setOwner(base, base.getFileSystem().getUserPrincipalLookupService()
          .lookupPrincipalByName(USER));
    }
    run("initdb", "-D", data.toString(), "-U", USER, "--auth=trust",
        "--no-sync", "--encoding=UTF8", "--locale=C");
    run("pg_ctl", "-D", data.toString(), "-l", base.resolve("postgres.log").toString(),
        "-o", "-p " + port + " -k " + base + " -c listen_addresses=127.0.0.1"
            + " -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
        "-w", "-t", Long.toString(COMMAND_SECONDS), "start");
  }

  /** Immediate shutdown, else SIGKILL by the postmaster's process id. */
  @Override
  void stop() {
    Optional<Long> pid = postmasterPid();
    try {
      run("pg_ctl", "-D", data.toString(), "-m", "immediate", "-w", "stop");
    } catch (IOException | RuntimeException e) {
      pid.flatMap(ProcessHandle::of).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  @Override
  String adminUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
  }

  /** A schema, not a database: each test starts from no tables without the cost of a database. */
  @Override
  String create(String name) {
    return "CREATE SCHEMA " + name;
  }

  /** The URL whose unqualified tables land in the schema {@code name}. */
  @Override
  String urlOf(String name) {
    return adminUrl() + "?currentSchema=" + name;
  }

  private Optional<Long> postmasterPid() {
    try {
      List<String> lines = Files.readAllLines(data.resolve("postmaster.pid"));
      return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).strip()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** Runs one of the server's programs to its end, as {@code postgres} when we are root. */
  private void run(String program, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    if (asPostgres) {
      command.addAll(List.of("runuser", "-u", USER, "--"));
    }
    command.add(bin.resolve(program).toString());
    command.addAll(List.of(args));
    Path output = Files.createTempFile("playcounter-" + program + "-", ".log");
    try {
      Process process = new ProcessBuilder(command).directory(base.toFile())
          .redirectErrorStream(true).redirectOutput(output.toFile()).start();
      boolean ended = waitFor(process, COMMAND_SECONDS + 10);
      if (!ended || process.exitValue() != 0) {
        throw new IOException(String.join(" ", command) + (ended ? " exited with "
            + process.exitValue() : " did not end") + ":\n"
            + Files.readString(output, StandardCharsets.UTF_8) + serverLog());
      }
    } finally {
      Files.deleteIfExists(output);
    }
  }

  private String serverLog() {
    try {
      return "\npostgres.log:\n" + Files.readString(base.resolve("postgres.log"));
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public String toString() {
    return "PostgreSQL " + bin.getParent().getFileName() + " on port " + port;
  }
}
