package org.playcounter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsTest {
  private static final Map<String, String> NONE = Map.of();

  @Test
  void defaultsApplyWhenNoSourceNamesASetting() {
    Settings settings = read(NONE, NONE, NONE);
    assertEquals(Settings.defaults(), settings);
    assertEquals(1_048_576, settings.maxBodyBytes());
    assertEquals(10_000_000, settings.maxSongs());
    assertNull(settings.adminToken());
  }

  @Test
  void systemPropertyBeatsEnvironmentBeatsInitParameter() {
    Map<String, String> init = Map.of("playcounter.max-songs", "3",
        "playcounter.max-body-bytes", "30", "playcounter.admin-token", "init");
    Map<String, String> env = Map.of("PLAYCOUNTER_MAX_SONGS", "2",
        "PLAYCOUNTER_MAX_BODY_BYTES", "20");
    Map<String, String> system = Map.of("playcounter.max-songs", "1");
    Settings settings = read(system, env, init);
    assertEquals(1, settings.maxSongs());
    assertEquals(20, settings.maxBodyBytes());
    assertEquals("init", settings.adminToken());
  }

  @Test
  void invalidValuesNameTheSetting() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> read(Map.of("playcounter.max-songs", "lots"), NONE, NONE));
    assertEquals("setting max-songs is not a whole number: 'lots'", e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> read(NONE, Map.of("PLAYCOUNTER_MAX_SONGS", "0"), NONE));
    assertThrows(IllegalArgumentException.class,
        () -> read(NONE, NONE, Map.of("playcounter.max-body-bytes", "-1")));
    assertThrows(IllegalArgumentException.class,
        () -> read(NONE, NONE, Map.of("playcounter.admin-token", "  ")));
  }

  @Test
  void openapiIsServedUnlessSetToFalse() {
    assertTrue(read(NONE, NONE, NONE).openapi());
    assertFalse(read(NONE, NONE, Map.of("playcounter.openapi", "false")).openapi());
    assertTrue(read(NONE, Map.of("PLAYCOUNTER_OPENAPI", "TRUE"), NONE).openapi());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> read(Map.of("playcounter.openapi", "no"), NONE, NONE));
    assertEquals("setting openapi must be true or false: 'no'", e.getMessage());
  }

  @Test
  void underscoresGroupDigits() {
    assertEquals(5_000_000, read(Map.of("playcounter.max-songs", "5_000_000"), NONE, NONE)
        .maxSongs());
  }

  @Test
  void descriptionNeverShowsTheToken() {
    String line = read(NONE, Map.of("PLAYCOUNTER_ADMIN_TOKEN", "s3cret"), NONE).describe();
    assertFalse(line.contains("s3cret"), line);
    assertTrue(line.contains("admin-token=(set, masked)"), line);
    assertFalse(line.contains("\n"));
  }

  @Test
  void contextInTheDataDirNamesEachDeployment() {
    assertEquals("ROOT", Settings.contextName(""));
    assertEquals("ROOT", Settings.contextName("/"));
    assertEquals("playcounter", Settings.contextName("/playcounter"));
    assertEquals("a#b", Settings.contextName("/a/b"));
  }

  private static Settings read(Map<String, String> system, Map<String, String> env,
      Map<String, String> init) {
    return Settings.read(system::get, env::get, init::get);
  }
}
