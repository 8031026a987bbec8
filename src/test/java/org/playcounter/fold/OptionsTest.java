package org.playcounter.fold;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link Options}: command line first, then system properties, then the environment. */
class OptionsTest {
  private static final Map<String, String> NONE = Map.of();

  @Test
  void defaultsFoldTheLocalServerIntoPlaysDb() {
    Options options = parse(NONE, NONE);
    assertEquals(List.of(URI.create("http://127.0.0.1:8080")), options.servers());
    assertEquals("jdbc:sqlite:plays.db", options.db());
    assertEquals(Tables.DEFAULT, options.tables());
    assertNull(options.dbUser());
    assertNull(options.adminToken());
    assertNull(options.haltAfter());
  }

  @Test
  void commandLineWinsOverSystemPropertiesWhichWinOverTheEnvironment() {
    Map<String, String> properties = Map.of("playcounter.fold.db", "jdbc:sqlite:p.db",
        "playcounter.fold.table", "totals", "playcounter.fold.admin-token", "from-property");
    Map<String, String> environment = Map.of(Options.ADMIN_TOKEN_ENV, "from-env",
        Options.DB_PASSWORD_ENV, "secret");
    Options options = parse(properties, environment, "--db=jdbc:postgresql://h/db",
        "--db-user=fold");
    assertEquals("jdbc:postgresql://h/db", options.db());
    assertEquals("fold", options.dbUser());
    assertEquals("totals", options.tables().plays());
    assertEquals("from-property", options.adminToken());
    assertEquals("secret", options.dbPassword());
    assertEquals("from-env", parse(NONE, environment).adminToken());
  }

  @Test
  void serversComeFromTheOptionAndTheArgumentsInOrder() {
    Options options = parse(NONE, NONE, "http://a:1", "--servers=http://b:2, http://c:3/x");
    assertEquals(List.of(URI.create("http://a:1"), URI.create("http://b:2"),
        URI.create("http://c:3/x")), options.servers());
  }

  @Test
  void badOptionsAreRefusedWithAReason() {
    assertEquals("unknown option: --nope=1",
        assertThrows(IllegalArgumentException.class, () -> parse(NONE, NONE, "--nope=1"))
            .getMessage());
    assertThrows(IllegalArgumentException.class, () -> parse(NONE, NONE, "--db"));
    assertThrows(IllegalArgumentException.class, () -> parse(NONE, NONE, "--db="));
    assertThrows(IllegalArgumentException.class, () -> parse(NONE, NONE, "--db=a", "--db=b"));
    assertThrows(IllegalArgumentException.class, () -> parse(NONE, NONE, "ftp://h"));
    assertThrows(IllegalArgumentException.class, () -> parse(NONE, NONE, "-x"));
    assertThrows(IllegalArgumentException.class,
        () -> parse(NONE, NONE, "--plays-column=plays;--"));
    assertThrows(IllegalArgumentException.class,
        () -> parse(Map.of(Options.HALT_AFTER, "later"), NONE));
  }

  @Test
  void theSchemeOfAServerIsCaseInsensitive() {
    assertEquals(List.of(URI.create("HTTP://a:1"), URI.create("Https://b:2")),
        parse(NONE, NONE, "HTTP://a:1", "--servers=Https://b:2").servers());
  }

  @Test
  void theTimeoutIsWholeSecondsWithASixtySecondDefault() {
    assertEquals(Duration.ofSeconds(60), parse(NONE, NONE).timeout());
    assertEquals(Duration.ofSeconds(5), parse(NONE, NONE, "--timeout=5").timeout());
    for (String bad : new String[] {"0", "-1", "3601", "1.5", "5s"}) {
      assertThrows(IllegalArgumentException.class, () -> parse(NONE, NONE, "--timeout=" + bad),
          bad);
    }
  }

  @Test
  void tablesAreNamedByTheirOptions() {
    Tables tables = parse(NONE, NONE, "--table=order", "--song-column=select",
        "--plays-column=group", "--applied-table=folded", "--overflow-table=too_big").tables();
    assertEquals(new Tables("order", "select", "group", "folded", "too_big"), tables);
  }

  @Test
  void previousServersAreAListOfTheirOwn() {
    Options options = parse(NONE, NONE, "--servers=http://a:1,http://b:2",
        "--previous-servers=http://a:1, http://c:3");
    assertEquals(List.of(URI.create("http://a:1"), URI.create("http://b:2")), options.servers());
    assertEquals(List.of(URI.create("http://a:1"), URI.create("http://c:3")),
        options.previousServers());
    assertEquals(List.of(), parse(NONE, NONE).previousServers());
  }

  @Test
  void theSecretsNeverShowInToString() {
    String shown = parse(NONE, NONE, "--db-password=pw-secret", "--admin-token=token-secret")
        .toString();
    assertEquals(false, shown.contains("secret"), shown);
  }

  private static Options parse(Map<String, String> properties, Map<String, String> environment,
      String... args) {
    return Options.parse(args, properties::get, environment::get);
  }
}
