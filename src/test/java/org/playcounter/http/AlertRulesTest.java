package org.playcounter.http;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Prometheus rules operators load pass {@code promtool check rules}, and every alert in them
 * passes its {@code promtool test rules} unit tests, with series that fire it and series that do
 * not. {@code MetricsIT} checks that the series they name are on a live server's page.
 */
class AlertRulesTest {
  /** The rules, from the project's directory. */
  static final String RULES = "src/main/prometheus/playcounter-rules.yml";
  private static final String TESTS = "src/test/prometheus/playcounter-rules-test.yml";

  @BeforeAll
  static void needsPromtool() {
    Promtool.assumeInstalled("the alert rules");
  }

  @Test
  void rulesPassPromtoolCheck() throws IOException, InterruptedException {
    String said = Promtool.run("", "check", "rules", RULES);
    assertTrue(said.contains("SUCCESS"), said);
  }

  @Test
  void everyAlertPassesItsUnitTests() throws IOException, InterruptedException {
    String said = Promtool.run("", "test", "rules", TESTS);
    assertTrue(said.contains("SUCCESS"), said);
  }

  @Test
  void everyAlertHasATest() throws IOException {
    String tests = Files.readString(Path.of(TESTS));
    Matcher alerts = Pattern.compile("- alert: (\\w+)").matcher(Files.readString(Path.of(RULES)));
    int found = 0;
    while (alerts.find()) {
      String alert = alerts.group(1);
      assertTrue(tests.contains("alertname: " + alert + "\n        exp_alerts:\n          - "),
          alert + " has no test in which it fires");
      assertTrue(tests.contains("alertname: " + alert + "\n        exp_alerts: []"),
          alert + " has no test in which it stays quiet");
      found++;
    }
    assertTrue(found >= 9, "alerts found: " + found);
  }
}
