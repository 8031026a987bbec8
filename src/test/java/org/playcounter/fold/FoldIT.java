package org.playcounter.fold;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.playcounter.client.PlayCounterClient;
import org.playcounter.fold.TestDatabases.Kind;
import org.playcounter.http.ServletContainer;
import org.playcounter.http.FreePort;
import org.playcounter.http.StallingServer;

/**
 * The built fold jar, run as its own JVM as an operator would, against two real playcounter
 * deployments in Jetty and a SQLite or PostgreSQL database: every play ends up in the database
 * exactly once, also when the job halts right after taking a drain or right after its commit
 * and is simply run again, and when the server is killed while it streams a pending drain.
 */
class FoldIT {
  private static final String TOKEN = "fold-it-admin-token";
  private static final long JOB_SECONDS = 120;

  /** The databases the job folds into. */
  @RegisterExtension
  static final TestDatabases databases = new TestDatabases(Kind.SQLITE, Kind.POSTGRESQL);

  @TempDir
  Path dir;

  static Stream<Kind> everyDb() {
    return databases.kinds().stream();
  }

  @ParameterizedTest
  @MethodSource("everyDb")
  void foldsEveryPlayOfEveryServerExactlyOnce(Kind db) throws Exception {
    String url = url(db);
    try (ServletContainer jetty = start()) {
      List<URI> servers = List.of(jetty.uri("/"), jetty.uri("/second"));
      PlayCounterClient client = client(servers);
      Map<String, Long> expected = play(client, 3_000, 1);

      Run first = fold(url, servers, null);
      assertEquals(FoldJob.OK, first.exit, first.toString());
      assertEquals(expected, totals(url), first.toString());
      assertEquals(List.of(), pending(client), "every drain acknowledged");
      assertEquals(Map.of(), client.counts(), "nothing left on the servers");

      play(client, 1_000, 2).forEach((song, count) -> expected.merge(song, count, Long::sum));
      Run second = fold(url, servers, null);
      assertEquals(FoldJob.OK, second.exit, second.toString());
      assertEquals(expected, totals(url), second.toString());
      assertEquals(List.of(), pending(client));

      Run idle = fold(url, servers, null); // nothing played since: empty drains only
      assertEquals(FoldJob.OK, idle.exit, idle.toString());
      assertEquals(expected, totals(url), idle.toString());
    }
  }

  static Stream<Arguments> everyDbAndHalt() {
    List<Arguments> all = new ArrayList<>();
    for (Kind db : databases.kinds()) {
      for (String haltAfter : List.of("drain", "commit")) {
        all.add(Arguments.of(db, haltAfter));
      }
    }
    return all.stream();
  }

  @ParameterizedTest(name = "{0}, halted after the {1}")
  @MethodSource("everyDbAndHalt")
  void aJobHaltedPartWayAndRunAgainCountsEveryPlayOnce(Kind db, String haltAfter)
      throws Exception {
    String url = url(db);
    try (ServletContainer jetty = start()) {
      List<URI> servers = List.of(jetty.uri("/"), jetty.uri("/second"));
      PlayCounterClient client = client(servers);
      Map<String, Long> expected = play(client, 2_000, 1);

      Run halted = fold(url, servers, haltAfter);
      assertEquals(FoldJob.HALTED, halted.exit, halted.toString());
      assertEquals(1, pending(client).size(), "the drain taken stays pending: " + halted);
      assertEquals(haltAfter.equals("commit"), !totals(url).isEmpty(), halted.toString());

      Run rerun = fold(url, servers, null);
      assertEquals(FoldJob.OK, rerun.exit, rerun.toString());
      assertEquals(haltAfter.equals("commit"), rerun.stdout.contains("plays, already applied"),
          rerun.toString());
      assertEquals(expected, totals(url), rerun.toString());
      assertEquals(List.of(), pending(client), "GET /drains is empty on every server");
      assertEquals(Map.of(), client.counts());
    }
  }

  /**
   * SIGKILL of the server while it streams a pending drain of 100,000 songs to a client that has
   * read only the start of it: after a restart the drain is pending with its number and every
   * count (and they still count), and the fold job then puts every play into the database.
   */
  @ParameterizedTest(name = "killed after {0} bytes of the body")
  @ValueSource(ints = {0, 300_000})
  void aServerKilledWhileStreamingAPendingDrainLosesNoPlay(int bytesRead) throws Exception {
    String url = url(Kind.SQLITE);
    Map<String, Long> loaded = new HashMap<>();
    for (int i = 0; i < 100_000; i++) {
      loaded.put("l" + i, 1L + i % 5);
    }
    long number;
    URI base;
    try (ServletContainer jetty = start()) {
      base = jetty.uri("/");
      client(List.of(base)).add(loaded);
      try (Socket socket = new Socket(base.getHost(), base.getPort())) {
        socket.setSoTimeout(30_000);
        socket.getOutputStream().write(("POST /drains HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Authorization: Bearer " + TOKEN + "\r\nContent-Length: 0\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
        InputStream in = socket.getInputStream();
        String head = readHead(in);
        assertTrue(head.startsWith("HTTP/1.1 201"), head);
        Matcher location = Pattern.compile("(?i)Location: \\S*/drains/(\\d+)").matcher(head);
        assertTrue(location.find(), head);
        number = Long.parseLong(location.group(1));
        in.readNBytes(bytesRead);
        jetty.kill(); // the rest of the body is still on its way
      }
    }
    try (ServletContainer restarted = start()) {
      base = restarted.uri("/");
      PlayCounterClient client = client(List.of(base));
      assertEquals(List.of(number), client.pendingDrainNumbers(base));
      assertEquals(loaded, client.pendingDrain(base, number).counts());
      assertEquals(3, client.count("l7"), "a pending play still counts");
      Run run = fold(url, List.of(base), null);
      assertEquals(FoldJob.OK, run.exit, run.toString());
      assertEquals(loaded, totals(url), run.toString());
      assertEquals(List.of(), client.pendingDrainNumbers(base));
      assertEquals(Map.of(), client.counts());
    }
  }

  /** Reads a response's status line and headers, up to the empty line. */
  private static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("the answer ended in its headers: " + head);
      }
      head.append((char) b);
    }
    return head.toString();
  }

  @Test
  void aServerThatCannotBeReachedIsNamedAndTheOthersAreStillFolded() throws Exception {
    String url = url(Kind.SQLITE);
    URI dead = URI.create("http://127.0.0.1:" + FreePort.next());
    try (ServletContainer jetty = start()) {
      List<URI> live = List.of(jetty.uri("/"), jetty.uri("/second"));
      Map<String, Long> expected = play(client(live), 500, 1);
      List<URI> servers = List.of(live.get(0), dead, live.get(1));

      Run run = fold(url, servers, null);
      assertEquals(FoldJob.FAILED, run.exit, run.toString());
      assertTrue(run.stderr.contains("could not drain " + dead), run.toString());
      assertEquals(1, run.stderr.lines().filter(line -> line.contains("could not drain")).count(),
          run.toString());
      assertEquals(expected, totals(url), run.toString());
    }
  }

  @Test
  void aServerThatStallsMidBodyIsNamedWithinTheTimeoutAndTheOthersAreStillFolded()
      throws Exception {
    String url = url(Kind.SQLITE);
    try (ServletContainer jetty = start(); StallingServer stalled = new StallingServer()) {
      URI live = jetty.uri("/");
      Map<String, Long> expected = play(client(List.of(live)), 500, 1);
      Run run = fold(url, List.of(stalled.uri(), live), null, "--timeout=2");
      assertEquals(FoldJob.FAILED, run.exit, run.toString());
      assertTrue(run.stderr.contains("could not drain " + stalled.uri() + ": AttemptTimeoutException:"
          + " no complete answer within 2000 ms"), run.toString());
      assertEquals(expected, totals(url), run.toString());
      assertEquals(List.of(), client(List.of(live)).pendingDrainNumbers(live));
    }
  }

  private ServletContainer start() throws IOException {
    return ServletContainer.start(ServletContainer.Kind.JETTY_12_1, Map.of(
        "playcounter.data-dir", dir.resolve("data-{context}").toString(),
        "playcounter.admin-token", TOKEN, "playcounter.max-body-bytes", "4000000"),
        "/", "/second");
  }

  private static PlayCounterClient client(List<URI> servers) {
    return PlayCounterClient.builder().servers(servers).adminToken(TOKEN).build();
  }

  /** Adds {@code songs} songs' plays (bulk, spread over the servers) and returns them. */
  private static Map<String, Long> play(PlayCounterClient client, int songs, int round) {
    Map<String, Long> plays = new LinkedHashMap<>();
    for (int i = 0; i < songs; i++) {
      plays.put("song-" + i, 1L + (i + round) % 5);
    }
    client.add(plays);
    Map<String, Long> expected = new HashMap<>(plays);
    for (int i = 0; i < 20; i++) { // single plays too, on songs old and new
      client.increment("single-" + i % 7);
      expected.merge("single-" + i % 7, 1L, Long::sum);
    }
    return expected;
  }

  private static List<Long> pending(PlayCounterClient client) {
    List<Long> pending = new ArrayList<>();
    for (URI server : client.router().servers()) {
      pending.addAll(client.pendingDrainNumbers(server));
    }
    return pending;
  }

  private String url(Kind db) throws SQLException {
    return databases.url(db, dir, "plays");
  }

  /** The songs table as the job left it; the job makes it before it takes any drain. */
  private static Map<String, Long> totals(String url) throws SQLException {
    return TestDatabases.plays(url, Tables.DEFAULT);
  }

  /** One run of the fold jar in its own JVM, bounded in time. */
  private Run fold(String url, List<URI> servers, String haltAfter, String... options)
      throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    if (haltAfter != null) {
      command.add("-D" + Options.HALT_AFTER + "=" + haltAfter);
    }
    command.addAll(List.of("-jar", foldJar().toString(),
        "--servers=" + servers.stream().map(URI::toString).collect(Collectors.joining(",")),
        "--db=" + url));
    String user = TestDatabases.user(url);
    if (user != null) {
      command.add("--db-user=" + user);
    }
    command.addAll(List.of(options));
    Path out = Files.createTempFile(dir, "fold-", ".out");
    Path err = Files.createTempFile(dir, "fold-", ".err");
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.environment().put(Options.ADMIN_TOKEN_ENV, TOKEN); // kept off the command line
    Process process = builder.start();
    if (!process.waitFor(JOB_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      fail("the fold job did not end within " + JOB_SECONDS + " s: "
          + Files.readString(out) + Files.readString(err));
    }
    return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  /** The jar {@code mvn package} built: as failsafe names it, else the one in target/. */
  private static Path foldJar() throws IOException {
    String named = System.getProperty("playcounter.fold.jar");
    if (named != null) {
      return Path.of(named);
    }
    try (DirectoryStream<Path> jars = Files.newDirectoryStream(Path.of("target"),
        "playcounter-*-fold.jar")) {
      for (Path jar : jars) {
        return jar;
      }
    }
    throw new IllegalStateException("no target/playcounter-*-fold.jar: run mvn package first");
  }

  /** What one run of the job did. */
  private record Run(int exit, String stdout, String stderr) {
    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
    }
  }
}
