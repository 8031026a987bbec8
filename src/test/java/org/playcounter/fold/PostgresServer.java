package org.playcounter.fold;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.playcounter.http.FreePort;

/**
 * A real PostgreSQL server for one test class, started from the newest Debian server binaries
 * ({@code /usr/lib/postgresql/<version>/bin}) in a temporary directory on a free loopback port,
 * with trust authentication and without fsync, and stopped by {@link #close} (immediate
 * shutdown, then by process id). PostgreSQL refuses to run as root, so as root every command
 * runs as the {@code postgres} user, which then owns the directory.
 *
 * <p>Without the binaries, {@link #startIfInstalled} returns null and the tests that need it
 * skip with {@link #MISSING}, unless the system property {@value #REQUIRED} is true (as
 * {@code .ci/run} sets it): then it fails.
 */
final class PostgresServer implements AutoCloseable {
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
  private final Path base;
  private final Path data;
  private final int port;
  private final boolean asPostgres;
  private final AtomicInteger schemas = new AtomicInteger();

  private PostgresServer(Path bin, Path base, int port, boolean asPostgres) {
    this.bin = bin;
    this.base = base;
    this.data = base.resolve("data");
    this.port = port;
    this.asPostgres = asPostgres;
  }

  /**
   * Starts a server, or returns null when none is installed and {@value #REQUIRED} is not true.
   *
   * @throws IOException if the server is installed but did not start
   */
  static PostgresServer startIfInstalled() throws IOException {
    Optional<Path> bin = newestBin();
    if (bin.isEmpty()) {
      if (Boolean.getBoolean(REQUIRED)) {
        fail(REQUIRED + " is true, but there are " + MISSING);
      }
      return null;
    }
    boolean root = System.getProperty("user.name").equals("root");
    Path base = Files.createTempDirectory("playcounter-postgres-");
    if (root) {
      UserPrincipal postgres = base.getFileSystem().getUserPrincipalLookupService()
          .lookupPrincipalByName(USER);
      Files.setOwner(base, postgres);
    }
    PostgresServer server = new PostgresServer(bin.get(), base, FreePort.next(), root);
    try {
      server.run("initdb", "-D", server.data.toString(), "-U", USER, "--auth=trust",
          "--no-sync", "--encoding=UTF8", "--locale=C");
      server.run("pg_ctl", "-D", server.data.toString(),
          "-l", base.resolve("postgres.log").toString(),
          "-o", "-p " + server.port + " -k " + base + " -c listen_addresses=127.0.0.1"
              + " -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
          "-w", "-t", Long.toString(COMMAND_SECONDS), "start");
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
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

  /** The JDBC URL of the {@code postgres} database; connect as {@link #USER}. */
  String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
  }

  /**
   * A JDBC URL whose unqualified tables land in a new empty schema, so that each test starts
   * from no tables without the cost of a database of its own.
   */
  String freshSchemaUrl() throws SQLException {
    String schema = "test_" + schemas.incrementAndGet();
    try (Connection connection = connect(jdbcUrl());
        Statement statement = connection.createStatement()) {
      statement.executeUpdate("CREATE SCHEMA " + schema);
    }
    return jdbcUrl() + "?currentSchema=" + schema;
  }

  /** A connection to {@code url} on this server as {@link #USER}. */
  static Connection connect(String url) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", USER);
    return DriverManager.getConnection(url, properties);
  }

  /** Stops the server (immediate shutdown, then SIGKILL by pid) and deletes its directory. */
  @Override
  public void close() {
    Optional<Long> pid = postmasterPid();
    try {
      run("pg_ctl", "-D", data.toString(), "-m", "immediate", "-w", "stop");
    } catch (IOException | RuntimeException e) {
      pid.flatMap(ProcessHandle::of).ifPresent(ProcessHandle::destroyForcibly);
    }
    delete(base);
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
      boolean ended;
      try {
        ended = process.waitFor(COMMAND_SECONDS + 10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        ended = false;
      }
      if (!ended) {
        process.destroyForcibly();
      }
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

  private static void delete(Path tree) {
    try (Stream<Path> paths = Files.walk(tree)) {
      for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      // a leftover temporary directory is not worth failing a test for
    }
  }

  @Override
  public String toString() {
    return "PostgreSQL " + bin.getParent().getFileName() + " on port " + port;
  }
}
