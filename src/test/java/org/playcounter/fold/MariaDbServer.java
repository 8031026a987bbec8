package org.playcounter.fold;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real MariaDB server for one test class: Debian's {@code mariadbd}, its data directory made by
 * {@code mariadb-install-db}, with the server's default (strict) SQL mode, and stopped by
 * {@link #close} by its process; otherwise as {@link DatabaseServer} says.
 */
final class MariaDbServer extends DatabaseServer {
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

  private Process process;

  private MariaDbServer() throws IOException {
    super("mariadb", USER);
  }

  /**
   * Starts a server, or returns null when none is installed and {@value #REQUIRED} is not true.
   *
   * @throws IOException if the server is installed but did not start
   */
  static MariaDbServer startIfInstalled() throws IOException {
    if (!Files.isExecutable(SERVER) || !Files.isExecutable(INSTALL)) {
      return notInstalled(REQUIRED, MISSING);
    }
    return started(new MariaDbServer());
  }

  @Override
  void start() throws IOException {
    Path data = base.resolve("data");
    Path log = base.resolve("install.log");
    List<String> user = System.getProperty("user.name").equals("root") ? List.of("--user=root")
        : List.of();
    List<String> install = new ArrayList<>(List.of(INSTALL.toString(), "--no-defaults",
        "--datadir=" + data, "--auth-root-authentication-method=normal", "--skip-test-db"));
    install.addAll(user);
    Process installing = new ProcessBuilder(install).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    if (!waitFor(installing, START_SECONDS) || installing.exitValue() != 0) {
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
      try (Connection connection = connect(adminUrl())) {
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

  /** SIGTERM by its process, then SIGKILL. */
  @Override
  void stop() {
    if (process != null) {
      process.destroy();
      waitFor(process, START_SECONDS);
    }
  }

  @Override
  String adminUrl() {
    return urlOf("");
  }

  @Override
  String create(String name) {
    return "CREATE DATABASE " + name;
  }

  @Override
  String urlOf(String database) {
    return "jdbc:mariadb://127.0.0.1:" + port + "/" + database;
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
