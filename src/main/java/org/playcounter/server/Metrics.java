package org.playcounter.server;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.common.PrometheusScrapeHandler;
import io.prometheus.metrics.exporter.servlet.jakarta.HttpExchangeAdapter;
import io.prometheus.metrics.instrumentation.jvm.JvmBufferPoolMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmClassLoadingMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmCompilationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmGarbageCollectorMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmRuntimeInfoMetric;
import io.prometheus.metrics.instrumentation.jvm.JvmThreadsMetrics;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import org.playcounter.store.PlayCountStore;

/**
 * What operators watch, in a Prometheus registry of this deployment's own (never the library's
 * static default one: two deployments in one container count apart), with the JVM's and the
 * process's metrics, answered in the Prometheus text format 0.0.4 or, when the scraper's
 * {@code Accept} asks for it, in OpenMetrics. Each series a request touches is looked up once, at
 * start, so that counting a request costs a few {@code LongAdder} additions; each value a scrape
 * reads is current, but a scrape taken during traffic is not one atomic snapshot.
 */
final class Metrics {
  /** The {@code ServletContext} attribute that holds the deployment's metrics. */
  static final String ATTRIBUTE = Metrics.class.getName();
  /**
   * Heap bytes a song costs while there are too few songs to measure it from the table, whose
   * empty stripes would dominate: 1M songs in the WAR, heap after a full GC (FACTS.md).
   */
  static final long FALLBACK_BYTES_PER_SONG = 112;
  /** From this many songs on, the bytes a song costs are measured from the table. */
  static final long MEASURED_FROM_SONGS = 100_000;

  private static final String[] STATUS_CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"};
  /** Request durations: a play takes tens of microseconds, an fsync'd one milliseconds. */
  private static final double[] REQUEST_SECONDS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025,
      0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  private static final double[] FSYNC_SECONDS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
      0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusScrapeHandler scrapeHandler = new PrometheusScrapeHandler(registry);
  private final CounterDataPoint plays;
  private final CounterDataPoint drains;
  private final CounterDataPoint drainedSongs;
  /** Per route and status class, at {@link #series}. */
  private final CounterDataPoint[] requests;
  private final RequestDurations durations;
  private final CounterDataPoint[] rejections;
  /** Per route: requests answered 503, the counter unavailable for them. */
  private final CounterDataPoint[] unavailable;
  /** When the last drain was delivered or made pending; the deployment's start before any. */
  private volatile long lastDrainMillis = System.currentTimeMillis();
  /**
   * Registered by {@link #watch} for a durable store only. Classic buckets, no exemplars: native
   * histograms and exemplars would start the library's scheduler thread, which no undeploy stops.
   */
  private final Histogram fsyncs = Histogram.builder()
      .name("playcounter_journal_fsync_duration_seconds")
      .help("Time each fsync of the journal took.")
      .classicOnly().classicUpperBounds(FSYNC_SECONDS).withoutExemplars().build();

  /** Registers the JVM's metrics and the counters of requests; {@link #watch} adds the store's. */
  Metrics() {
    // Not JvmMetrics, which adds them all: its allocation metrics leave a listener on the JVM's
    // garbage collectors, which would hold this deployment's classes after an undeploy.
    JvmThreadsMetrics.builder().register(registry);
    JvmBufferPoolMetrics.builder().register(registry);
    JvmClassLoadingMetrics.builder().register(registry);
    JvmCompilationMetrics.builder().register(registry);
    JvmGarbageCollectorMetrics.builder().register(registry);
    JvmMemoryMetrics.builder().register(registry);
    JvmRuntimeInfoMetric.builder().register(registry);
    ProcessMetrics.builder().register(registry);
    plays = counter("playcounter_plays_total", "Plays counted since start.").labelValues();
    drains = counter("playcounter_drains_total", "Drains delivered since start.").labelValues();
    drainedSongs = counter("playcounter_drained_songs_total",
        "Songs taken out by delivered drains since start.").labelValues();
    Counter requestCounter = counter("playcounter_requests_total",
        "Requests answered since start, by route and status class.", "route", "status");
    Counter unavailableCounter = counter("playcounter_requests_unavailable_total",
        "Requests answered 503 since start, by route.", "route");
    unavailable = new CounterDataPoint[Route.values().length];
    requests = new CounterDataPoint[Route.values().length * STATUS_CLASSES.length];
    String[][] series = new String[requests.length][];
    for (Route route : Route.values()) {
      unavailable[route.ordinal()] = unavailableCounter.labelValues(route.label());
      for (int c = 0; c < STATUS_CLASSES.length; c++) {
        int i = route.ordinal() * STATUS_CLASSES.length + c;
        requests[i] = requestCounter.labelValues(route.label(), STATUS_CLASSES[c]);
        series[i] = new String[] {route.label(), STATUS_CLASSES[c]};
      }
    }
    durations = new RequestDurations("playcounter_request_duration_seconds",
        "Time from a request's arrival in the servlet to its answer, by route and status class.",
        REQUEST_SECONDS, new String[] {"route", "status"}, series);
    registry.register(durations);
    Counter rejectionCounter = counter("playcounter_rejected_total",
        "Requests rejected since start, by reason.", "reason");
    rejections = new CounterDataPoint[Rejection.values().length];
    for (Rejection rejection : Rejection.values()) {
      rejections[rejection.ordinal()] = rejectionCounter.labelValues(rejection.label());
    }
  }

  /**
   * Registers what is read from the store and the settings at each scrape; called once, before
   * the first scrape.
   */
  void watch(PlayCountStore store, Settings settings) {
    gaugeReading("playcounter_songs", "Songs held now.", store.stats()::songs);
    gaugeReading("playcounter_heap_headroom_songs", "How many more songs the heap holds at the"
        + " bytes a song takes now: (max heap - used heap) / bytes per song; used heap includes"
        + " garbage not yet collected.", () -> headroomSongs(store));
    gaugeReading("playcounter_pending_drains",
        "Pending drains (POST /drains) not yet acknowledged.", () -> store.pendingDrains().length);
    gaugeReading("playcounter_oldest_pending_drain_age_seconds", "Seconds since the oldest"
        + " pending drain was made, read from its number; 0 with none pending.",
        () -> oldestPendingAgeSeconds(store.pendingDrains(), System.currentTimeMillis()));
    gaugeReading("playcounter_last_drain_timestamp_seconds", "When the last drain was delivered"
        + " or made pending, in Unix seconds; the deployment's start before any.",
        () -> lastDrainMillis / 1000.0);
    gaugeReading("playcounter_ready", "1 while the counter takes plays (/health 200), 0 when"
        + " its journal failed or it is stopping (/health 503).",
        () -> Health.of(store).ready() ? 1 : 0);
    GaugeWithCallback.builder().name("playcounter_health_warning")
        .help("1 while /health carries the warning, else 0.").labelNames("warning")
        .callback(callback -> {
          Health health = Health.of(store);
          for (Health.Warning warning : Health.Warning.values()) {
            callback.call(health.warns(warning) ? 1 : 0, warning.label());
          }
        }).register(registry);
    gaugeReading("playcounter_pending_songs", "Songs held in pending drains.",
        store.stats()::pendingSongs);
    gaugeReading("playcounter_idempotency_keys",
        "Idempotency keys remembered now, with their answers.", store.stats()::keysRemembered);
    counterReading("playcounter_idempotent_replays_total",
        "Requests answered from a remembered Idempotency-Key since start.", store.stats()::keyReplays);
    counterReading("playcounter_idempotency_conflicts_total", "Requests refused since start:"
        + " their key was another request's (422) or still in progress (409).",
        store.stats()::keyConflicts);
    counterReading("playcounter_idempotency_keys_dropped_total", "Keys forgotten before"
        + " idempotency-window-ms passed, to stay within max-idempotency-keys, since start.",
        store.stats()::keysDroppedEarly);
    counterReading("playcounter_idempotency_keys_refused_total", "Keyed writes refused since"
        + " start, nothing changed: no room while the oldest keys were in progress (503), or an"
        + " answer that could pass max-idempotency-answer-bytes (413).", store.stats()::keysRefused);
    gaugeReading("playcounter_idempotency_answer_bytes", "Bytes of remembered bulk answers, and"
        + " reserved for those of keyed bulk adds in progress; at most"
        + " max-idempotency-answer-bytes.", store.stats()::keyAnswerBytes);
    if (store.durable()) {
      gaugeReading("playcounter_journal_bytes", "Bytes in the current journal file.",
          store.stats()::journalBytes);
      counterReading("playcounter_journal_fsyncs_total", "fsyncs of the journal since start.",
          store.stats()::journalFsyncs);
      counterReading("playcounter_journal_compactions_total",
          "Snapshots written and journals restarted since start.", store.stats()::journalCompactions);
      gaugeReading("playcounter_journal_stall_seconds_max",
          "The longest time the journal held every change off since start.",
          store.stats()::journalLongestStallSeconds);
      registry.register(fsyncs);
    }
    gaugeReading("playcounter_max_songs", "Setting max-songs: most songs held at once.",
        settings::maxSongs);
    gaugeReading("playcounter_max_body_bytes",
        "Setting max-body-bytes: largest bulk request body.", settings::maxBodyBytes);
  }

  /** Counts one play that was acknowledged. */
  void played() {
    plays.inc();
  }

  /**
   * Counts the plays of a bulk add that was acknowledged, summed as a double: 1,025 pairs of
   * 2^53 pass Long.MAX_VALUE, and a long sum would wrap negative, which the library's counter
   * refuses with an exception.
   */
  void added(Map<String, Long> counts) {
    double sum = 0;
    for (long count : counts.values()) {
      sum += count;
    }
    plays.inc(sum);
  }

  /** Counts one drain that was delivered. */
  void drained(int songs) {
    lastDrainMillis = System.currentTimeMillis();
    drains.inc();
    drainedSongs.inc(songs);
  }

  /** Counts one answered request that arrived at {@link System#nanoTime} {@code startNanos}. */
  void answered(Route route, int status, long startNanos) {
    int series = route.ordinal() * STATUS_CLASSES.length
        + Math.min(Math.max(status / 100, 1), 5) - 1;
    requests[series].inc();
    if (status == 503) {
      unavailable[route.ordinal()].inc();
    }
    durations.observe(series, System.nanoTime() - startNanos);
  }

  /** Counts one rejected request. */
  void rejected(Rejection rejection) {
    rejections[rejection.ordinal()].inc();
  }

  /** Times one fsync of the journal; called on the journal's writing thread. */
  void journalFsynced(long nanos) {
    fsyncs.observe(nanos / 1e9);
  }

  /**
   * Answers a scrape ({@code GET} or {@code HEAD}) in the format its {@code Accept} header asks
   * for; a request for the protobuf format, which this WAR does not ship, gets the text format.
   */
  void scrape(HttpServletRequest request, HttpServletResponse response) throws IOException {
    scrapeHandler.handleRequest(new HttpExchangeAdapter(TextOnlyRequest.of(request), response));
  }

  /** The registry; for tests. */
  PrometheusRegistry registry() {
    return registry;
  }

  /**
   * How many more songs fit in {@code freeHeapBytes} at the bytes a song costs in the table, or
   * at {@link #FALLBACK_BYTES_PER_SONG} while it holds fewer than {@link #MEASURED_FROM_SONGS}.
   */
  static long headroomSongs(long freeHeapBytes, long songs, long songBytes) {
    long perSong = songs < MEASURED_FROM_SONGS ? FALLBACK_BYTES_PER_SONG
        : Math.max(1, songBytes / songs);
    return Math.max(0, freeHeapBytes) / perSong;
  }

  /**
   * Seconds from the oldest of pending drains {@code numbers} (ascending) to {@code nowMillis},
   * 0 with none: a drain's number is the millisecond it was made, or a little later when several
   * were made within one, so the age is never overstated.
   */
  static double oldestPendingAgeSeconds(long[] numbers, long nowMillis) {
    return numbers.length == 0 ? 0 : Math.max(0, nowMillis - numbers[0]) / 1000.0;
  }

  /** How many more songs the heap holds now, at the bytes a song of {@code store} takes. */
  static long headroomSongs(PlayCountStore store) {
    Runtime runtime = Runtime.getRuntime();
    long free = runtime.maxMemory() - (runtime.totalMemory() - runtime.freeMemory());
    long songs = store.stats().songs();
    return headroomSongs(free, songs, songs < MEASURED_FROM_SONGS ? 0 : store.stats().songBytes());
  }

  private Counter counter(String name, String help, String... labelNames) {
    return Counter.builder().name(name).help(help).labelNames(labelNames).withoutExemplars()
        .register(registry);
  }

  private void counterReading(String name, String help, LongSupplier value) {
    CounterWithCallback.builder().name(name).help(help)
        .callback(callback -> callback.call(value.getAsLong())).register(registry);
  }

  private void gaugeReading(String name, String help, DoubleSupplier value) {
    GaugeWithCallback.builder().name(name).help(help)
        .callback(callback -> callback.call(value.getAsDouble())).register(registry);
  }
}
