package org.playcounter.server;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.concurrent.atomic.LongAdder;
import org.playcounter.store.PlayCountStore;

/**
 * What operators watch, counted with {@link LongAdder}s so the hot path never contends on them,
 * and written in the Prometheus text exposition format, version 0.0.4. Each value read is
 * current, but a scrape taken during traffic is not one atomic snapshot.
 */
final class Metrics {
  /** The {@code Content-Type} of the exposition. */
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private static final String[] STATUS_CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"};

  private final LongAdder plays = new LongAdder();
  private final LongAdder drains = new LongAdder();
  private final LongAdder drainedSongs = new LongAdder();
  private final LongAdder[] requests = adders(Route.values().length * STATUS_CLASSES.length);
  private final LongAdder[] rejections = adders(Rejection.values().length);

  /** Counts plays that were added and acknowledged. */
  void played(long count) {
    plays.add(count);
  }

  /** Counts one drain that was delivered. */
  void drained(int songs) {
    drains.increment();
    drainedSongs.add(songs);
  }

  /** Counts one answered request. */
  void answered(Route route, int status) {
    int statusClass = Math.min(Math.max(status / 100, 1), 5) - 1;
    requests[route.ordinal() * STATUS_CLASSES.length + statusClass].increment();
  }

  /** Counts one rejected request. */
  void rejected(Rejection rejection) {
    rejections[rejection.ordinal()].increment();
  }

  /** Writes every metric, with the store's current size and the settings that bound memory. */
  void write(Appendable out, PlayCountStore store, Settings settings) throws IOException {
    metric(out, "playcounter_songs", "gauge", "Songs held now.", store.songs());
    metric(out, "playcounter_plays_total", "counter", "Plays counted since start.", plays.sum());
    metric(out, "playcounter_drains_total", "counter", "Drains delivered since start.",
        drains.sum());
    metric(out, "playcounter_drained_songs_total", "counter",
        "Songs taken out by delivered drains since start.", drainedSongs.sum());
    header(out, "playcounter_requests_total", "counter",
        "Requests answered since start, by route and status class.");
    for (Route route : Route.values()) {
      for (int c = 0; c < STATUS_CLASSES.length; c++) {
        out.append("playcounter_requests_total{route=\"").append(route.label())
            .append("\",status=\"").append(STATUS_CLASSES[c]).append("\"} ")
            .append(Long.toString(requests[route.ordinal() * STATUS_CLASSES.length + c].sum()))
            .append('\n');
      }
    }
    header(out, "playcounter_rejected_total", "counter",
        "Requests rejected since start, by reason.");
    for (Rejection rejection : Rejection.values()) {
      out.append("playcounter_rejected_total{reason=\"").append(rejection.label())
          .append("\"} ").append(Long.toString(rejections[rejection.ordinal()].sum()))
          .append('\n');
    }
    metric(out, "playcounter_pending_drains", "gauge",
        "Pending drains (POST /drains) not yet acknowledged.", store.pendingDrains().length);
    metric(out, "playcounter_pending_songs", "gauge", "Songs held in pending drains.",
        store.pendingSongs());
    metric(out, "playcounter_idempotency_keys", "gauge",
        "Idempotency keys remembered now, with their answers.", store.keysRemembered());
    metric(out, "playcounter_idempotent_replays_total", "counter",
        "Requests answered from a remembered Idempotency-Key since start.", store.keyReplays());
    metric(out, "playcounter_idempotency_conflicts_total", "counter",
        "Requests refused since start: their key was another request's (422) or still in"
        + " progress (409).", store.keyConflicts());
    metric(out, "playcounter_idempotency_keys_dropped_total", "counter",
        "Keys forgotten before idempotency-window-ms passed, to stay within"
        + " max-idempotency-keys, since start.", store.keysDroppedEarly());
    if (store.durable()) {
      metric(out, "playcounter_journal_bytes", "gauge",
          "Bytes in the current journal file.", store.journalBytes());
      metric(out, "playcounter_journal_fsyncs_total", "counter",
          "fsyncs of the journal since start.", store.journalFsyncs());
      metric(out, "playcounter_journal_compactions_total", "counter",
          "Snapshots written and journals restarted since start.", store.journalCompactions());
      metric(out, "playcounter_journal_stall_seconds_max", "gauge",
          "The longest time the journal held every change off since start.",
          store.journalLongestStallSeconds());
    }
    metric(out, "playcounter_max_songs", "gauge", "Setting max-songs: most songs held at once.",
        settings.maxSongs());
    metric(out, "playcounter_max_body_bytes", "gauge",
        "Setting max-body-bytes: largest bulk request body.", settings.maxBodyBytes());
  }

  private static void metric(Appendable out, String name, String type, String help, long value)
      throws IOException {
    header(out, name, type, help);
    out.append(name).append(' ').append(Long.toString(value)).append('\n');
  }

  private static void metric(Appendable out, String name, String type, String help,
      double value) throws IOException {
    header(out, name, type, help);
    out.append(name).append(' ').append(new BigDecimal(value).setScale(9, RoundingMode.HALF_UP)
        .stripTrailingZeros().toPlainString()).append('\n');
  }

  private static void header(Appendable out, String name, String type, String help)
      throws IOException {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  private static LongAdder[] adders(int count) {
    LongAdder[] adders = new LongAdder[count];
    for (int i = 0; i < count; i++) {
      adders[i] = new LongAdder();
    }
    return adders;
  }
}
