package org.playcounter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.playcounter.store.StoreOptions;
import org.playcounter.store.PlayCountStore;

class MetricsTest {
  @TempDir
  Path dir;

  @Test
  void exposedNamesAreThoseOfTheHandWrittenExposition() throws IOException {
    Metrics metrics = new Metrics();
    PlayCountStore store = PlayCountStore.open(StoreOptions.inMemory(100).withDataDir(dir)
        .withFsync(false, 1000).withJournalMaxBytes(1 << 20)
        .withLog(line -> { }, metrics::journalFsynced));
    try {
      metrics.watch(store, Settings.defaults());
      store.increment("a");
      metrics.played();
      metrics.answered(Route.SONG, 200, System.nanoTime());
      metrics.rejected(Rejection.NOT_FOUND);
      metrics.journalFsynced(2_000_000);
      String text = text(metrics);
      for (String line : new String[] {"playcounter_songs 1.0", "playcounter_plays_total 1.0",
          "playcounter_drains_total 0.0", "playcounter_drained_songs_total 0.0",
          "playcounter_pending_drains 0.0", "playcounter_pending_songs 0.0",
          "playcounter_idempotency_keys 0.0", "playcounter_idempotent_replays_total 0.0",
          "playcounter_idempotency_conflicts_total 0.0",
          "playcounter_idempotency_keys_dropped_total 0.0",
          "playcounter_requests_total{route=\"song\",status=\"2xx\"} 1.0",
          "playcounter_requests_total{route=\"other\",status=\"5xx\"} 0.0",
          "playcounter_rejected_total{reason=\"not_found\"} 1.0",
          "playcounter_journal_compactions_total 0.0", "playcounter_journal_stall_seconds_max 0.0",
          "playcounter_max_songs 1.0E7", "playcounter_max_body_bytes 1048576.0",
          "playcounter_request_duration_seconds_count{route=\"song\",status=\"2xx\"} 1",
          "playcounter_journal_fsync_duration_seconds_bucket{le=\"0.0025\"} 1",
          "# TYPE playcounter_plays_total counter", "# TYPE playcounter_songs gauge"}) {
        assertTrue(text.contains("\n" + line + "\n"), line + " in:\n" + text);
      }
      assertTrue(text.contains("\nplaycounter_journal_bytes "), text);
      assertTrue(text.contains("\nplaycounter_journal_fsyncs_total "), text);
      assertTrue(text.contains("\nplaycounter_heap_headroom_songs "), text);
      assertFalse(text.contains("_total_total"), text);
    } finally {
      store.close();
    }
  }

  @Test
  void inMemoryStoreShowsNoJournal() throws IOException {
    Metrics metrics = new Metrics();
    metrics.watch(new PlayCountStore(100), Settings.defaults());
    String text = text(metrics);
    assertFalse(text.contains("playcounter_journal"), text);
    assertTrue(text.contains("\njvm_memory_used_bytes{"), text);
    assertTrue(text.contains("\nprocess_cpu_seconds_total "), text);
  }

  @Test
  void openMetricsNamesCountersWithoutTotalAndEndsWithEof() throws IOException {
    Metrics metrics = new Metrics();
    metrics.watch(new PlayCountStore(100), Settings.defaults());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    OpenMetricsTextFormatWriter.create().write(out, metrics.registry().scrape());
    String text = out.toString(StandardCharsets.UTF_8);
    assertTrue(text.contains("\n# TYPE playcounter_plays counter\n"), text);
    assertTrue(text.contains("\nplaycounter_plays_total 0.0\n"), text);
    assertTrue(text.endsWith("# EOF\n"), text);
  }

  @Test
  void hugeBulkPlaysDoNotWrapTheCounterNegative() throws IOException {
    Metrics metrics = new Metrics();
    metrics.watch(new PlayCountStore(100), Settings.defaults());
    metrics.played();
    metrics.added(Map.of("a", Long.MAX_VALUE));
    metrics.added(Map.of("a", Long.MAX_VALUE));
    assertTrue(text(metrics).contains("\nplaycounter_plays_total 1.8446744073709552E19\n"));
  }

  @Test
  void bulkAddWhosePairsSumPastLongMaxIsCounted() throws IOException {
    Metrics metrics = new Metrics();
    metrics.watch(new PlayCountStore(2000), Settings.defaults());
    Map<String, Long> plays = new HashMap<>();
    for (int i = 0; i < 1_100; i++) {
      plays.put("s" + i, 1L << 53); // a long sum wraps negative past 1,024 of these
    }
    metrics.added(plays);
    assertTrue(text(metrics).contains("\nplaycounter_plays_total 9.907919180215091E18\n"),
        text(metrics));
  }

  @Test
  void healthAndDrainsAreSeriesAlertsCanWatch() throws IOException {
    Metrics metrics = new Metrics();
    PlayCountStore store = new PlayCountStore(2);
    metrics.watch(store, Settings.defaults());
    store.increment("a");
    metrics.answered(Route.SONG, 503, System.nanoTime());
    metrics.answered(Route.SONG, 500, System.nanoTime());
    String text = text(metrics);
    for (String line : new String[] {"playcounter_ready 1.0",
        "playcounter_health_warning{warning=\"full\"} 0.0",
        "playcounter_health_warning{warning=\"heap_headroom_low\"} 0.0",
        "playcounter_requests_unavailable_total{route=\"song\"} 1.0",
        "playcounter_requests_unavailable_total{route=\"songs\"} 0.0",
        "playcounter_oldest_pending_drain_age_seconds 0.0"}) {
      assertTrue(text.contains("\n" + line + "\n"), line + " in:\n" + text);
    }
    assertTrue(text.contains("\nplaycounter_last_drain_timestamp_seconds 1."), text);
    store.increment("b");
    assertTrue(text(metrics).contains("\nplaycounter_health_warning{warning=\"full\"} 1.0\n"));
  }

  @Test
  void oldestPendingDrainAgeIsReadFromTheFirstNumber() {
    assertEquals(0, Metrics.oldestPendingAgeSeconds(new long[0], 10_000));
    assertEquals(7.5, Metrics.oldestPendingAgeSeconds(new long[] {2_500, 9_000}, 10_000));
    assertEquals(0, Metrics.oldestPendingAgeSeconds(new long[] {10_001}, 10_000));
  }

  @Test
  void headroomUsesTheTableOnceItHoldsEnoughSongs() {
    assertEquals(1000, Metrics.headroomSongs(112_000, 0, 0));
    assertEquals(1000, Metrics.headroomSongs(112_000, Metrics.MEASURED_FROM_SONGS - 1, 1));
    assertEquals(3200, Metrics.headroomSongs(112_000, 100_000, 3_500_000));
    assertEquals(0, Metrics.headroomSongs(-5, 100_000, 3_500_000));
  }

  private static String text(Metrics metrics) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, metrics.registry().scrape());
    return "\n" + out.toString(StandardCharsets.UTF_8);
  }
}
