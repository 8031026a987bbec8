package org.playcounter.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real servlet container in its own JVM process, with the built WAR deployed into it: a Jetty
 * or Tomcat distribution unpacked by the build, the WildFly server it provisions, or the Payara
 * Micro jar it copies. Listens on a free loopback port; {@link #close} stops the process by its
 * id, and a shutdown hook does so too if the test JVM ends first.
 */
public final class ServletContainer implements AutoCloseable {
  /** The servers the matrix is made of; each kind below is one release line of one of them. */
  enum Server { JETTY, TOMCAT, WILDFLY, PAYARA }

  /** The containers the build provides: the matrix every build proves the WAR on. */
  public enum Kind {
    JETTY_12_0("jetty-12.0", Server.JETTY),
    JETTY_12_1("jetty-12.1", Server.JETTY),
    TOMCAT_10_1("tomcat-10.1", Server.TOMCAT),
    TOMCAT_11("tomcat-11", Server.TOMCAT),
    WILDFLY("wildfly", Server.WILDFLY),
    PAYARA_MICRO("payara-micro", Server.PAYARA);

    private final String name;
    private final Server server;

    Kind(String name, Server server) {
      this.name = name;
      this.server = server;
    }

    /** Which server this is a release of. */
    Server server() {
      return server;
    }

    /** Where the build put it: set by failsafe as {@code playcounter.home.<name>}. */
    Path home() {
      return Path.of(required("playcounter.home." + name));
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private static final Duration START_DEADLINE = Duration.ofSeconds(120);
  private static final HttpClient PROBE = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2)).build();

  private final Kind kind;
  private final Path base;
  private final int port;
  private final Map<String, String> systemProperties;
  private final Path log;
  /** The context paths deployed at the start, awaited again by {@link #restart}. */
  private final List<String> contextPaths = new ArrayList<>();
  private Process process;
  private Thread reaper;

  private ServletContainer(Kind kind, Path base, int port, Map<String, String> systemProperties) {
    this.kind = kind;
    this.base = base;
    this.port = port;
    this.systemProperties = Map.copyOf(systemProperties);
    this.log = base.resolve("container.log");
  }

  /** The WAR that {@code mvn package} built. */
  static Path builtWar() {
    return Path.of(required("playcounter.war"));
  }

  /**
   * Starts a container of {@code kind} with the built WAR deployed at every context path given
   * ({@code "/"} or {@code "/name"}), and waits until each answers.
   */
  public static ServletContainer start(Kind kind, Map<String, String> systemProperties,
      String... contextPaths) throws IOException {
    Path runs = Path.of("target", "container-runs");
    Files.createDirectories(runs);
    Path base = Files.createTempDirectory(runs, kind.name().toLowerCase() + "-").toAbsolutePath();
    ServletContainer container = new ServletContainer(kind, base, FreePort.next(), systemProperties);
    container.prepare();
    for (String contextPath : contextPaths) {
      container.deploy(contextPath);
      container.contextPaths.add(contextPath);
    }
    container.launch();
    for (String contextPath : contextPaths) {
      container.awaitDeployed(contextPath);
    }
    return container;
  }

  /** Which container this is. */
  Kind kind() {
    return kind;
  }

  /** The base URI of the deployment at {@code contextPath}, without a trailing slash. */
  public URI uri(String contextPath) {
    return URI.create("http://127.0.0.1:" + port + (contextPath.equals("/") ? "" : contextPath));
  }

  /** Everything the container logged: its stdout and stderr, then its own log files. */
  public String log() throws IOException {
    StringBuilder all = new StringBuilder(Files.readString(log, StandardCharsets.UTF_8));
    Path logs = kind.server() == Server.WILDFLY ? base.resolve("standalone/log")
        : base.resolve("logs");
    if (Files.isDirectory(logs)) {
      try (Stream<Path> files = Files.list(logs)) {
        for (Path file : (Iterable<Path>) files.sorted()::iterator) {
          all.append('\n').append(Files.readString(file, StandardCharsets.UTF_8));
        }
      }
    }
    return all.toString();
  }

  /** Copies the built WAR in under the file name that gives {@code contextPath}. */
  void deploy(String contextPath) throws IOException {
    Files.copy(builtWar(), deployments().resolve(warName(contextPath)),
        StandardCopyOption.REPLACE_EXISTING);
  }

  /** Tomcat's per-context configuration file for {@code contextPath}, e.g. for a Parameter. */
  Path contextConfig(String contextPath) {
    return base.resolve("conf/Catalina/localhost").resolve(
        warName(contextPath).replace(".war", ".xml"));
  }

  /** Removes the WAR deployed at {@code contextPath}, as an operator would. */
  void undeploy(String contextPath) throws IOException {
    Files.delete(deployments().resolve(warName(contextPath)));
  }

  /** Waits until the deployment at {@code contextPath} answers as playcounter does. */
  void awaitDeployed(String contextPath) {
    await(contextPath, true);
  }

  /** Waits until {@code contextPath} no longer answers as playcounter does. */
  void awaitUndeployed(String contextPath) {
    await(contextPath, false);
  }

  /** The process id of the container's JVM, for fault injection from outside (prlimit). */
  long pid() {
    return process.pid();
  }

  /** Kills the container's JVM with SIGKILL, as a crash or power loss would stop it. */
  public void kill() throws InterruptedException {
    if (process == null) {
      return;
    }
    process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    Runtime.getRuntime().removeShutdownHook(reaper);
    process = null;
  }

  /**
   * Starts the container again after {@link #close} or {@link #kill}, on the same port with the
   * same directories and settings, and waits until every deployment answers: a restart, as an
   * operator or a supervisor makes it.
   */
  public void restart() throws IOException {
    if (process != null) {
      throw new IllegalStateException(this + " is running");
    }
    launch();
    for (String contextPath : contextPaths) {
      awaitDeployed(contextPath);
    }
  }

  /** Stops the container cleanly (SIGTERM, as {@code systemctl stop} does); see {@link #restart}. */
  @Override
  public void close() {
    if (process == null) {
      return;
    }
    stop(process);
    Runtime.getRuntime().removeShutdownHook(reaper);
    process = null;
  }

  private void prepare() throws IOException {
    Path home = kind.home();
    switch (kind.server()) {
      case JETTY -> {
        run(List.of(java(), "-jar", home.resolve("start.jar").toString(),
            "--add-modules=server,http,ee10-deploy"), "jetty --add-modules");
        Files.createDirectories(base.resolve("webapps"));
      }
      case TOMCAT -> {
        for (String dir : List.of("conf", "logs", "temp", "webapps", "work")) {
          Files.createDirectories(base.resolve(dir));
        }
        for (String file : List.of("web.xml", "catalina.properties", "logging.properties",
            "context.xml")) {
          Files.copy(home.resolve("conf").resolve(file), base.resolve("conf").resolve(file));
        }
        Files.writeString(base.resolve("conf/server.xml"), """
            <?xml version="1.0" encoding="UTF-8"?>
            <Server port="-1" shutdown="SHUTDOWN">
              <Listener className="org.apache.catalina.core.JreMemoryLeakPreventionListener"/>
              <Listener className="org.apache.catalina.core.ThreadLocalLeakPreventionListener"/>
              <Service name="Catalina">
                <Connector port="%d" address="127.0.0.1" protocol="HTTP/1.1"
                           connectionTimeout="20000"/>
                <Engine name="Catalina" defaultHost="localhost">
                  <Host name="localhost" appBase="webapps" unpackWARs="true" autoDeploy="true">
                    <!-- The production setting the README recommends: no exception report. -->
                    <Valve className="org.apache.catalina.valves.ErrorReportValve"
                           showReport="false" showServerInfo="false"/>
                  </Host>
                </Engine>
              </Service>
            </Server>
            """.formatted(port));
      }
      case WILDFLY -> copyTree(home.resolve("standalone"), base.resolve("standalone"));
      case PAYARA -> {
        Files.createDirectories(base.resolve("webapps"));
        // As the README's Payara recipe: listen on loopback only, and hand /health and /metrics
        // at the root context to playcounter instead of Payara's MicroProfile endpoints (metrics
        // can only be reconfigured after boot).
        Files.writeString(base.resolve("preboot.asadmin"), """
            set configs.config.server-config.network-config.network-listeners.network-listener.http-listener.address=127.0.0.1
            set-microprofile-healthcheck-configuration --enabled=false --endpoint=mp-health
            set-openapi-configuration --enabled=false
            """);
        Files.writeString(base.resolve("postboot.asadmin"),
            "set-metrics-configuration --enabled=false --endpoint=mp-metrics\n");
      }
      default -> throw new IllegalStateException("unknown container " + kind);
    }
  }

  private void launch() throws IOException {
    List<String> command = new ArrayList<>(List.of(java(), "-Xmx1g", "-XX:+UseParallelGC"));
    systemProperties.forEach((name, value) -> command.add("-D" + name + "=" + value));
    Path home = kind.home();
    switch (kind.server()) {
      case JETTY -> command.addAll(List.of(
          // As the README recommends: keep the charset's case as written (UTF-8, not utf-8).
          "-Dorg.eclipse.jetty.http.HttpGenerator.STRICT=true",
          "-jar", home.resolve("start.jar").toString(),
          "jetty.http.host=127.0.0.1", "jetty.http.port=" + port));
      case TOMCAT -> command.addAll(List.of(
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.io=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
          "--add-opens=java.rmi/sun.rmi.transport=ALL-UNNAMED",
          "-Dcatalina.home=" + home, "-Dcatalina.base=" + base,
          "-Djava.io.tmpdir=" + base.resolve("temp"),
          "-Djava.util.logging.manager=org.apache.juli.ClassLoaderLogManager",
          "-Djava.util.logging.config.file=" + base.resolve("conf/logging.properties"),
          "-cp", home.resolve("bin/bootstrap.jar") + ":" + home.resolve("bin/tomcat-juli.jar"),
          "org.apache.catalina.startup.Bootstrap", "start"));
      case WILDFLY -> {
        Path standalone = base.resolve("standalone");
        command.addAll(List.of(
            "--add-exports=java.desktop/sun.awt=ALL-UNNAMED",
            "--add-exports=java.naming/com.sun.jndi.ldap=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.security=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.management/javax.management=ALL-UNNAMED",
            "--add-opens=java.naming/javax.naming=ALL-UNNAMED",
            "-Djava.net.preferIPv4Stack=true",
            "-Dorg.jboss.boot.log.file=" + standalone.resolve("log/server.log"),
            "-Dlogging.configuration=file:" + standalone.resolve("configuration/logging.properties"),
            "-jar", home.resolve("jboss-modules.jar").toString(),
            "-mp", home.resolve("modules").toString(),
            "org.jboss.as.standalone",
            "-Djboss.home.dir=" + home,
            "-Djboss.server.base.dir=" + standalone,
            "-Djboss.bind.address=127.0.0.1",
            "-Djboss.http.port=" + port,
            "-Djboss.https.port=" + FreePort.next()));
      }
      case PAYARA -> command.addAll(List.of(
          "-Djava.io.tmpdir=" + Files.createDirectories(base.resolve("temp")),
          "-jar", home.toString(),
          "--nocluster", "--disablephonehome", "--port", Integer.toString(port),
          "--rootdir", base.resolve("root").toString(),
          "--prebootcommandfile", base.resolve("preboot.asadmin").toString(),
          "--postbootcommandfile", base.resolve("postboot.asadmin").toString(),
          "--deploydir", deployments().toString()));
      default -> throw new IllegalStateException("unknown container " + kind);
    }
    process = new ProcessBuilder(command).directory(base.toFile())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
    Process started = process;
    reaper = new Thread(() -> stop(started), "stop " + kind);
    Runtime.getRuntime().addShutdownHook(reaper);
  }

  /** Polls {@code OPTIONS /}, which playcounter answers 204 with an Allow header. */
  private void await(String contextPath, boolean deployed) {
    long deadline = System.nanoTime() + START_DEADLINE.toNanos();
    HttpRequest probe = HttpRequest.newBuilder(URI.create(uri(contextPath) + "/"))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
        .timeout(Duration.ofSeconds(5)).build();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(kind + " exited with " + process.exitValue() + "\n"
            + tail());
      }
      Path failed = deployments().resolve(warName(contextPath) + ".failed");
      if (Files.exists(failed)) { // WildFly's deployment scanner reports failures this way
        throw new IllegalStateException(kind + " failed to deploy " + contextPath + ": "
            + readQuietly(failed));
      }
      boolean answers;
      try {
        HttpResponse<Void> response = PROBE.send(probe, HttpResponse.BodyHandlers.discarding());
        answers = response.statusCode() == 204
            && response.headers().firstValue("Allow").isPresent();
      } catch (IOException e) {
        answers = false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      if (answers == deployed) {
        return;
      }
      sleep(100);
    }
    throw new IllegalStateException(kind + " did not " + (deployed ? "deploy " : "undeploy ")
        + contextPath + " within " + START_DEADLINE + "\n" + tail());
  }

  private Path deployments() {
    return kind.server() == Server.WILDFLY ? base.resolve("standalone/deployments")
        : base.resolve("webapps");
  }

  private static String warName(String contextPath) {
    return contextPath.equals("/") ? "ROOT.war" : contextPath.substring(1) + ".war";
  }

  private static String readQuietly(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  private String tail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private void run(List<String> command, String what) throws IOException {
    Process setup = new ProcessBuilder(command).directory(base.toFile())
        .redirectErrorStream(true).redirectOutput(base.resolve("setup.log").toFile()).start();
    try {
      if (!setup.waitFor(60, TimeUnit.SECONDS) || setup.exitValue() != 0) {
        setup.destroyForcibly();
        throw new IOException(what + " failed: " + Files.readString(base.resolve("setup.log")));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  /** Asks the process to stop (SIGTERM), then kills it and whatever it started. */
  private static void stop(Process process) {
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    children.forEach(ProcessHandle::destroyForcibly);
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path path : (Iterable<Path>) paths::iterator) {
        Path target = to.resolve(from.relativize(path).toString());
        if (Files.isDirectory(path)) {
          Files.createDirectories(target);
        } else {
          Files.copy(path, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static String required(String property) {
    String value = System.getProperty(property);
    if (value == null) {
      throw new IllegalStateException("system property " + property
          + " is not set: run the integration tests through mvn verify");
    }
    return value;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return kind + " on port " + port;
  }
}
