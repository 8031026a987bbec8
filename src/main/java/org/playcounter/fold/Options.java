package org.playcounter.fold;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The fold job's settings, read once at start: each option from the command line as
 * {@code --name=value}, else from the system property {@code playcounter.fold.name}, and the two
 * secrets also from the environment, so they need not show in a process listing.
 *
 * @param servers the counter servers' base URIs, in the order to drain them
 * @param previousServers the servers of the list before the last membership change, drained
 *     after {@code servers} (those not among them); empty for none
 * @param db the JDBC URL of the database to fold into
 * @param dbUser the database user, or null
 * @param dbPassword the database password, or null
 * @param adminToken the servers' admin token, or null
 * @param tables the tables and columns to write
 * @param timeout how long each request to a server may take, its answer's body included
 * @param haltAfter for tests only, from the system property {@value #HALT_AFTER} alone:
 *     {@code drain}, {@code commit} or null (see {@link FoldJob})
 */
record Options(List<URI> servers, List<URI> previousServers, String db, String dbUser, String dbPassword,
    String adminToken, Tables tables, Duration timeout, String haltAfter) {
  /** What {@code --help} prints, and what follows a bad option on stderr. */
  static final String USAGE = """
      usage: java -jar playcounter-fold.jar [--name=value ...] [server ...]
      Drains every playcounter server and adds the counts to a database, each drain exactly once;
      run it again after any failure and nothing is lost or counted twice.
        --servers=URI,...      servers to drain, in order (default http://127.0.0.1:8080);
                               servers may also be given as arguments
        --previous-servers=URI,...
                               the list before the last change of servers, as the clients'
                               previousServers: drained too, after the servers
        --db=JDBC-URL          database (default jdbc:sqlite:plays.db; also jdbc:postgresql:...
                               and jdbc:mariadb:... for MariaDB and MySQL)
        --db-user=NAME         database user
        --db-password=SECRET   database password (or env PLAYCOUNTER_FOLD_DB_PASSWORD)
        --admin-token=SECRET   the servers' admin token (or env PLAYCOUNTER_ADMIN_TOKEN)
        --table=songs          plays table, created if missing
        --song-column=song     its song-id column (VARCHAR(128) PRIMARY KEY)
        --plays-column=plays   its plays column (BIGINT)
        --applied-table=applied_drains
                               table of the drains applied, created if missing
        --overflow-table=overflowed_plays
                               table of plays whose song's total would pass 2^63-1
        --timeout=60           seconds each request to a server may take, body included; a
                               server that stalls is named and skipped (POST /drains is tried
                               3 times, so after at most 3 x this)
        --help                 this text
      Every option may also be set as the system property playcounter.fold.<name>.
      Exit status: 0 all servers folded, 1 some server or the database failed, 2 bad options.
      """;

  /** Prefix of the system properties that stand in for options. */
  static final String PROPERTY_PREFIX = "playcounter.fold.";
  /** The environment variable read for the database password when no option sets it. */
  static final String DB_PASSWORD_ENV = "PLAYCOUNTER_FOLD_DB_PASSWORD";
  /** The environment variable read for the admin token when no option sets it. */
  static final String ADMIN_TOKEN_ENV = "PLAYCOUNTER_ADMIN_TOKEN";
  /** The system property that makes the job halt part-way, for the crash tests only. */
  static final String HALT_AFTER = "playcounter.fold.halt-after";

  private static final Set<String> NAMES = Set.of("servers", "previous-servers", "db", "db-user", "db-password",
      "admin-token", "table", "song-column", "plays-column", "applied-table", "overflow-table",
      "timeout");
  /** The default of {@code --timeout}. */
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  public Options {
    servers = List.copyOf(servers);
    previousServers = List.copyOf(previousServers);
  }

  /**
   * Reads the options from {@code args}, then {@code systemProperties}, then {@code environment}.
   *
   * @throws IllegalArgumentException with a one-line reason for an unknown option, a bad value
   *     or a bad server URI
   */
  static Options parse(String[] args, Function<String, String> systemProperties,
      Function<String, String> environment) {
    Map<String, String> given = new HashMap<>();
    List<URI> servers = new ArrayList<>();
    for (String arg : args) {
      if (arg.startsWith("--")) {
        int eq = arg.indexOf('=');
        String name = eq < 0 ? arg.substring(2) : arg.substring(2, eq);
        if (!NAMES.contains(name)) {
          throw new IllegalArgumentException("unknown option: " + arg);
        }
        if (eq < 0) {
          throw new IllegalArgumentException("option without a value: " + arg
              + " (write --" + name + "=value)");
        }
        if (given.put(name, arg.substring(eq + 1)) != null) {
          throw new IllegalArgumentException("option given twice: --" + name);
        }
      } else if (arg.startsWith("-")) {
        throw new IllegalArgumentException("unknown option: " + arg);
      } else {
        servers.add(uri(arg));
      }
    }
    Function<String, String> option = name -> {
      String value = given.containsKey(name) ? given.get(name)
          : systemProperties.apply(PROPERTY_PREFIX + name);
      if (value != null && value.isEmpty()) {
        throw new IllegalArgumentException("empty value for " + name);
      }
      return value;
    };
    servers.addAll(uris(option.apply("servers")));
    List<URI> previous = uris(option.apply("previous-servers"));
    String haltAfter = systemProperties.apply(HALT_AFTER);
    if (haltAfter != null && !haltAfter.equals("drain") && !haltAfter.equals("commit")) {
      throw new IllegalArgumentException(HALT_AFTER + " is neither drain nor commit: "
          + haltAfter);
    }
    String dbPassword = option.apply("db-password");
    String adminToken = option.apply("admin-token");
    return new Options(
        servers.isEmpty() ? List.of(URI.create("http://127.0.0.1:8080")) : servers,
        previous,
        orDefault(option.apply("db"), "jdbc:sqlite:plays.db"),
        option.apply("db-user"),
        dbPassword != null ? dbPassword : environment.apply(DB_PASSWORD_ENV),
        adminToken != null ? adminToken : environment.apply(ADMIN_TOKEN_ENV),
        new Tables(
            orDefault(option.apply("table"), Tables.DEFAULT.plays()),
            orDefault(option.apply("song-column"), Tables.DEFAULT.song()),
            orDefault(option.apply("plays-column"), Tables.DEFAULT.count()),
            orDefault(option.apply("applied-table"), Tables.DEFAULT.applied()),
            orDefault(option.apply("overflow-table"), Tables.DEFAULT.overflowed())),
        timeout(option.apply("timeout")),
        haltAfter);
  }

  /** A comma-separated list of server URIs; none for null. */
  private static List<URI> uris(String list) {
    List<URI> uris = new ArrayList<>();
    if (list != null) {
      for (String server : list.split(",", -1)) {
        uris.add(uri(server.strip()));
      }
    }
    return uris;
  }

  private static URI uri(String server) {
    try {
      URI uri = new URI(server);
      // Case-insensitive, as RFC 3986 has it and the client normalizes it: HTTP://h is http://h.
      if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())
          || uri.getHost() == null) {
        throw new IllegalArgumentException("not an http(s)://host[:port] server URI: " + server);
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a server URI: " + server + " (" + e.getReason()
          + ")");
    }
  }

  /** {@code --timeout}: whole seconds, 1 to 3600. */
  private static Duration timeout(String value) {
    if (value == null) {
      return DEFAULT_TIMEOUT;
    }
    try {
      long seconds = Long.parseLong(value);
      if (seconds >= 1 && seconds <= 3600) {
        return Duration.ofSeconds(seconds);
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw new IllegalArgumentException("timeout is not a number of seconds in 1..3600: " + value);
  }

  private static String orDefault(String value, String fallback) {
    return value != null ? value : fallback;
  }

  /** Never shows the password or the token. */
  @Override
  public String toString() {
    return "Options[servers=" + servers + ", previousServers=" + previousServers + ", db=" + db + ", dbUser=" + dbUser
        + ", dbPassword=" + (dbPassword == null ? "(unset)" : "(set)")
        + ", adminToken=" + (adminToken == null ? "(unset)" : "(set)")
        + ", tables=" + tables + ", timeout=" + timeout + ", haltAfter=" + haltAfter + "]";
  }
}
