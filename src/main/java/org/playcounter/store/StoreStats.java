package org.playcounter.store;

import org.playcounter.store.journal.Log;
import org.playcounter.store.keys.KeyTable;
import org.playcounter.store.table.SongTable;

/**
 * What a store holds and has done, for metrics and health: each figure read on its own, without
 * stopping changes, so two figures read together may be from different moments.
 */
public final class StoreStats {
  private final SongTable table;
  private final Log log;
  private final KeyTable keys;

  StoreStats(SongTable table, Log log, KeyTable keys) {
    this.table = table;
    this.log = log;
    this.keys = keys;
  }

  /** Songs held live now; exact when no change is running. */
  public long songs() {
    return table.songs();
  }

  /** Songs held in pending drains now. */
  public long pendingSongs() {
    return table.pendingSongs();
  }

  /** The most songs the store holds at once, live and pending. */
  public long maxSongs() {
    return table.maxSongs();
  }

  /** Bytes the songs' tables hold on the heap, their arrays only; read stripe by stripe. */
  public long songBytes() {
    return table.bytes();
  }

  /** Bytes in the current journal file; 0 in memory only. */
  public long journalBytes() {
    return log.bytes();
  }

  /** Compactions of the journal finished since start; 0 in memory only. */
  public long journalCompactions() {
    return log.compactions();
  }

  /** The longest time the journal held every change off since start, in seconds. */
  public double journalLongestStallSeconds() {
    return log.longestHoldNanos() / 1e9;
  }

  /** fsyncs of the journal since start; 0 in memory only. */
  public long journalFsyncs() {
    return log.fsyncs();
  }

  /** Keys remembered now, in progress included. */
  public int keysRemembered() {
    return keys.size();
  }

  /** Requests answered from a remembered key since start. */
  public long keyReplays() {
    return keys.replays();
  }

  /** Requests refused since start because their key was another request's or still in use. */
  public long keyConflicts() {
    return keys.conflicts();
  }

  /** Keys forgotten before their window ended, to stay within the limit, since start. */
  public long keysDroppedEarly() {
    return keys.droppedEarly();
  }

  /** New keys refused since start: no room while keys were in progress, or an answer too big. */
  public long keysRefused() {
    return keys.refused();
  }

  /** Bytes of remembered bulk answers, and reserved for those of keys in progress. */
  public long keyAnswerBytes() {
    return keys.answerBytes();
  }

  /** Bytes of the arrays that hold the remembered keys. */
  public long keyBytes() {
    return keys.bytes();
  }

  /**
   * Why the store takes no changes at all (its journal failed, or the deployment is stopping), or
   * null while it does.
   */
  public String unavailable() {
    return log.failure();
  }

  /**
   * Why new songs are refused (the store holds {@code max-songs}, live and pending), or null
   * while there is room; the songs held still count.
   */
  public String full() {
    long pending = table.pendingSongs();
    long held = table.songs() + pending;
    if (held >= table.maxSongs()) {
      return "full: " + held + " songs held (" + pending + " in pending drains),"
          + " max-songs is " + table.maxSongs() + "; new songs are refused";
    }
    return null;
  }
}
