package org.playcounter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RequestDurationsTest {
  private static final double[] BOUNDS = {0.0001, 0.00025, 0.5, 1, 10};
  private static final String[][] SERIES = {{"song", "2xx"}, {"song", "4xx"}, {"songs", "2xx"}};
  /** Durations whose sums are exact in seconds and in nanoseconds, one on a bound. */
  private static final long[][] NANOS = {{100_000}, {250_000_000, 500_000_000, 20_000_000_000L},
      {}};

  @Test
  void exposesWhatTheLibrarysHistogramExposesInBothFormats() throws IOException {
    PrometheusRegistry library = new PrometheusRegistry();
    Histogram histogram = Histogram.builder().name("d_seconds").help("Durations.")
        .labelNames("route", "status").classicOnly().classicUpperBounds(BOUNDS)
        .withoutExemplars().register(library);
    PrometheusRegistry ours = new PrometheusRegistry();
    RequestDurations durations = new RequestDurations("d_seconds", "Durations.", BOUNDS,
        new String[] {"route", "status"}, SERIES);
    ours.register(durations);
    for (int series = 0; series < SERIES.length; series++) {
      var point = histogram.labelValues(SERIES[series]);
      for (long nanos : NANOS[series]) {
        point.observe(nanos / 1e9);
        durations.observe(series, nanos);
      }
    }
    for (ExpositionFormatWriter writer : new ExpositionFormatWriter[] {
        PrometheusTextFormatWriter.create(), OpenMetricsTextFormatWriter.create()}) {
      String expected = text(writer, library);
      assertEquals(expected, text(writer, ours));
      assertTrue(expected.contains("d_seconds_bucket{route=\"song\",status=\"2xx\",le=\"1.0E-4\"}"
          + " 1"), expected);
    }
  }

  @Test
  void boundsMustAscend() {
    assertThrows(IllegalArgumentException.class, () -> new RequestDurations("d", "D.",
        new double[] {1, 1}, new String[] {"route"}, new String[][] {{"song"}}));
  }

  /** The exposition with the creation times, which differ by construction, taken out. */
  private static String text(ExpositionFormatWriter writer, PrometheusRegistry registry)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writer.write(out, registry.scrape());
    return out.toString(StandardCharsets.UTF_8).replaceAll("(_created\\{[^}]*\\}) \\S+", "$1 T");
  }
}
