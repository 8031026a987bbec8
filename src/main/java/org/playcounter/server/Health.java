package org.playcounter.server;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.playcounter.store.PlayCountStore;

/**
 * The readiness answer of {@code /health}, decided from what the store says and the heap's
 * headroom: 503 with the reason only when the counter takes no plays at all, else 200 {@code OK}
 * with each warning (full, heap headroom low) that an operator should see before it matters.
 */
final class Health {
  /**
   * Below this many more songs in the heap the headroom is low: about 11 MB at 112 bytes a song,
   * a few seconds of new songs at full speed.
   */
  static final long LOW_HEADROOM_SONGS = 100_000;

  /** The warnings readiness may carry, each with its metric label. */
  enum Warning {
    FULL("full"),
    HEAP_HEADROOM_LOW("heap_headroom_low");

    private final String label;

    Warning(String label) {
      this.label = label;
    }

    /** The {@code warning} label of {@code playcounter_health_warning}. */
    String label() {
      return label;
    }
  }

  private final String unavailable;
  private final List<Warning> warnings;
  private final List<String> reasons;

  private Health(String unavailable, List<Warning> warnings, List<String> reasons) {
    this.unavailable = unavailable;
    this.warnings = Collections.unmodifiableList(warnings);
    this.reasons = Collections.unmodifiableList(reasons);
  }

  /**
   * The decision for a store that takes no changes for {@code unavailable} (null: it does), is
   * {@code full} (null: it has room), has heap for {@code headroomSongs} more songs and may take
   * {@code songsAllowed} more before {@code max-songs}: the heap is only short when it would run
   * out before the limit does.
   */
  static Health of(String unavailable, String full, long headroomSongs, long songsAllowed) {
    List<Warning> warnings = new ArrayList<>();
    List<String> reasons = new ArrayList<>();
    if (full != null) {
      warnings.add(Warning.FULL);
      reasons.add(full);
    }
    if (headroomSongs < LOW_HEADROOM_SONGS && headroomSongs < songsAllowed) {
      warnings.add(Warning.HEAP_HEADROOM_LOW);
      reasons.add("heap headroom low: the heap holds about " + headroomSongs + " more songs"
          + " (warned below " + LOW_HEADROOM_SONGS + "), " + songsAllowed + " more are allowed"
          + " by max-songs");
    }
    return new Health(unavailable, warnings, reasons);
  }

  /** The decision for {@code store} now; its figures are read one by one, not atomically. */
  static Health of(PlayCountStore store) {
    long held = store.stats().songs() + store.stats().pendingSongs();
    return of(store.stats().unavailable(), store.stats().full(), Metrics.headroomSongs(store),
        Math.max(0, store.stats().maxSongs() - held));
  }

  /** True when the counter takes plays. */
  boolean ready() {
    return unavailable == null;
  }

  /** True when {@code warning} is among this decision's warnings. */
  boolean warns(Warning warning) {
    return warnings.contains(warning);
  }

  /** The status of {@code /health}: 200 or 503. */
  int status() {
    return ready() ? 200 : 503;
  }

  /**
   * The one-line body of {@code /health}: the reason when not ready, else {@code OK} followed by
   * {@code ; warning: } and each warning's reason.
   */
  String body() {
    if (!ready()) {
      return unavailable;
    }
    StringBuilder body = new StringBuilder("OK");
    for (String reason : reasons) {
      body.append("; warning: ").append(reason);
    }
    return body.toString();
  }
}
