package org.playcounter.fold;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.playcounter.http.FreePort;

/**
 * A real database server for one test class, in a temporary directory of its own on a free
 * loopback port, connected to as its superuser without a password; {@link #close} stops it and
 * deletes the directory. {@link PostgresServer} and {@link MariaDbServer} say how each starts,
 * stops and makes a fresh database.
 *
 * <p>Without a server's binaries its {@code startIfInstalled} returns null ({@link #notInstalled})
 * and the tests that need it skip, unless the system property it names is true (as
 * {@code .ci/run} sets it): then they fail. Thread-safe once started: each test gets a database of
 * its own from {@link #freshUrl}.
 */
abstract class DatabaseServer implements AutoCloseable {
  /** The server's own temporary directory, deleted by {@link #close}. */
  final Path base;
  /** The loopback port it listens on. */
  final int port;
  private final String user;
  private final AtomicInteger databases = new AtomicInteger();

  DatabaseServer(String name, String user) throws IOException {
    this.base = Files.createTempDirectory("playcounter-" + name + "-");
    this.port = FreePort.next();
    this.user = user;
  }

  /** Null, the server of a kind not installed; fails instead when {@code required} is true. */
  static <S extends DatabaseServer> S notInstalled(String required, String missing) {
    if (Boolean.getBoolean(required)) {
      fail(required + " is true, but there are " + missing);
    }
    return null;
  }

  /**
   * {@code server}, started; closed again if it did not start.
   *
   * @throws IOException if it did not start
   */
  static <S extends DatabaseServer> S started(S server) throws IOException {
    try {
      server.start();
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  /** Starts the server in {@link #base}; returns once it takes connections. */
  abstract void start() throws IOException;

  /** Stops the server, by force when it does not stop by itself. */
  abstract void stop();

  /** The JDBC URL that {@link #freshUrl} makes new databases through. */
  abstract String adminUrl();

  /** The SQL that makes a new, empty database (or schema) named {@code name}. */
  abstract String create(String name);

  /** The JDBC URL of the database {@link #create} made. */
  abstract String urlOf(String name);

  /** A JDBC URL of a new, empty database of its own. */
  final String freshUrl() throws SQLException {
    String name = "test_" + databases.incrementAndGet();
    try (Connection connection = connect(adminUrl());
        Statement statement = connection.createStatement()) {
      statement.executeUpdate(create(name));
    }
    return urlOf(name);
  }

  /** A connection to {@code url} on this server as its superuser. */
  final Connection connect(String url) throws SQLException {
    return connect(url, user);
  }

  /** A connection to {@code url} as {@code user}, or as nobody in particular when it is null. */
  static Connection connect(String url, String user) throws SQLException {
    Properties properties = new Properties();
    if (user != null) {
      properties.setProperty("user", user);
    }
    return DriverManager.getConnection(url, properties);
  }

  /**
   * Waits up to {@code seconds} for {@code process} to end, and kills it when it does not.
   *
   * @return whether it ended by itself
   */
  static boolean waitFor(Process process, long seconds) {
    try {
      if (process.waitFor(seconds, TimeUnit.SECONDS)) {
        return true;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process.destroyForcibly();
    return false;
  }

  /** Stops the server and deletes its directory. */
  @Override
  public final void close() {
    stop();
    try (Stream<Path> paths = Files.walk(base)) {
      for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      // a leftover temporary directory is not worth failing a test for
    }
  }
}
