package org.playcounter.fold;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.playcounter.http.FreePort;

/**
 * A real MariaDB server for one test class: Debian's {@code mariadbd}, its data directory made by
 * {@code mariadb-install-db} in a temporary directory, listening on a free loopback port only,
 * with the server's default (strict) SQL mode, and stopped by {@link #close} by its process id.
 *
 * <p>Without the binaries, {@link #startIfInstalled} returns null and the tests that need it
 * skip with {@link #MISSING}, unless the system property {@value #REQUIRED} is true (as
 * {@code .ci/run} sets it): then it fails.
 */
final class MariaDbServer implements AutoCloseable {
  /** The database user: the superuser install-db made, without a password. */
  static final String USER = "root";
  /** Set to true, a missing MariaDB fails the tests instead of skipping them. */
  static final String REQUIRED = "playcounter.require-mariadb";
  /** Why the MariaDB tests were skipped. */
  static final String MISSING = "no /usr/sbin/mariadbd and /usr/bin/mariadb-install-db:"
      + " apt-get install mariadb-server (or run .ci/run) to run the MariaDB tests";

  private static final Path SERVER = Path.of("/usr/sbin/mariadbd");
  private static final Path INSTALL = Path.of("/usr/bin/mariadb-install-db");
  private static final long START_SECONDS = 60;

  private final Path base;
  private final int port;
  private final AtomicInteger databases = new AtomicInteger();
  private Process process;

  private MariaDbServer(Path base, int port) {
    this.base = base;
    this.port = port;
  }

  /**
   * Starts a server, or returns null when none is installed and {@value #REQUIRED} is not true.
   *
   * @throws IOException if the server is installed but did not start
   */
  static MariaDbServer startIfInstalled() throws IOException {
    if (!Files.isExecutable(SERVER) || !Files.isExecutable(INSTALL)) {
      if (Boolean.getBoolean(REQUIRED)) {
        fail(REQUIRED + " is true, but there are " + MISSING);
      }
      return null;
    }
    MariaDbServer server = new MariaDbServer(Files.createTempDirectory("playcounter-mariadb-"),
        FreePort.next());
    try {
      server.start();
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  private void start() throws IOException {
    Path data = base.resolve("data");
    Path log = base.resolve("install.log");
    List<String> user = System.getProperty("user.name").equals("root") ? List.of("--user=root")
        : List.of();
    List<String> install = new ArrayList<>(List.of(INSTALL.toString(), "--no-defaults",
        "--datadir=" + data, "--auth-root-authentication-method=normal", "--skip-test-db"));
    install.addAll(user);
    Process installing = new ProcessBuilder(install).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    if (!waitFor(installing) || installing.exitValue() != 0) {
      throw new IOException("mariadb-install-db failed:\n" + Files.readString(log));
    }
    List<String> command = new ArrayList<>(List.of(SERVER.toString(), "--no-defaults",
        "--datadir=" + data, "--bind-address=127.0.0.1", "--port=" + port,
        "--socket=" + base.resolve("mariadb.sock"), "--pid-file=" + base.resolve("mariadb.pid"),
        "--innodb-buffer-pool-size=32M", "--log-error=" + base.resolve("error.log")));
    command.addAll(user);
    process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(base.resolve("mariadbd.out").toFile()).start();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
    while (true) { // bounded: START_SECONDS
      try (Connection connection = connect(jdbcUrl(""))) {
        return;
      } catch (SQLException e) {
        if (!process.isAlive() || System.nanoTime() > end) {
          throw new IOException("mariadbd did not start: " + e.getMessage() + "\n" + errorLog());
        }
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while mariadbd started", e);
      }
    }
  }

  private static boolean waitFor(Process process) {
    try {
      if (process.waitFor(START_SECONDS, TimeUnit.SECONDS)) {
        return true;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process.destroyForcibly();
    return false;
  }

  /** The JDBC URL of {@code database} on this server; connect as {@link #USER}. */
  String jdbcUrl(String database) {
    return "jdbc:mariadb://127.0.0.1:" + port + "/" + database;
  }

  /** A JDBC URL of a new, empty database of its own. */
  String freshDatabaseUrl() throws SQLException {
    String database = "test_" + databases.incrementAndGet();
    try (Connection connection = connect(jdbcUrl(""));
        Statement statement = connection.createStatement()) {
      statement.executeUpdate("CREATE DATABASE " + database);
    }
    return jdbcUrl(database);
  }

  /** A connection to {@code url} on this server as {@link #USER}. */
  static Connection connect(String url) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", USER);
    return DriverManager.getConnection(url, properties);
  }

  /** Stops the server (SIGTERM by its process, then SIGKILL) and deletes its directory. */
  @Override
  public void close() {
    if (process != null) {
      process.destroy();
      if (!waitFor(process)) {
        process.destroyForcibly();
      }
    }
    try (Stream<Path> paths = Files.walk(base)) {
      for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      // a leftover temporary directory is not worth failing a test for
    }
  }

  private String errorLog() {
    try {
      return Files.readString(base.resolve("error.log"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public String toString() {
    return "MariaDB on port " + port;
  }
}
