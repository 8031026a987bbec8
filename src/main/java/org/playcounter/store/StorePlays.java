package org.playcounter.store;

import java.util.Map;
import java.util.concurrent.locks.Lock;
import org.playcounter.store.journal.Entry;
import org.playcounter.store.journal.Log;
import org.playcounter.store.journal.Outcome;
import org.playcounter.store.keys.Key;
import org.playcounter.store.keys.KeySettlement;
import org.playcounter.store.table.SongTable;

/**
 * The store's plays, for {@link PlayCountStore}: one song or many, waited for or acknowledged
 * later, each in the same three steps: recorded and applied under the table's locks with the
 * log's shared hold (so that a compaction's switch sees all of a change or none), its key
 * answered there; then the outcome settles the key (done when the change counts, forgotten when
 * nothing changed) and is the caller's answer. A play refused by the table changes nothing.
 */
final class StorePlays {
  private final SongTable table;
  private final Log log;
  private final KeySettlement keys;

  StorePlays(SongTable table, Log log, KeySettlement keys) {
    this.table = table;
    this.log = log;
    this.keys = keys;
  }

  long increment(String id, Key key) {
    Entry entry = log.entry(false, key);
    long count = play(id, entry, key);
    settle(entry.await(), key);
    return count;
  }

  Map<String, Long> add(Map<String, Long> plays, Key key) {
    Entry entry = log.entry(false, key);
    Map<String, Long> added = addAll(plays, entry, key);
    settle(entry.await(), key);
    return added;
  }

  void increment(String id, Key key, Acknowledgement<Long> acknowledgement) {
    Entry entry = log.entry(false, key);
    long count = play(id, entry, key);
    entry.whenDone(outcome -> acknowledgement.done(settled(outcome, key) ? count : null,
        StoreRefusals.of(outcome)));
  }

  void add(Map<String, Long> plays, Key key, Acknowledgement<Map<String, Long>> acknowledgement) {
    Entry entry = log.entry(false, key);
    Map<String, Long> added = addAll(plays, entry, key);
    entry.whenDone(outcome -> acknowledgement.done(settled(outcome, key) ? added : null,
        StoreRefusals.of(outcome)));
  }

  /** Records and applies one play, holding off a compaction's switch, and sets its key's answer. */
  private long play(String id, Entry entry, Key key) {
    Lock shared = log.changes();
    shared.lock();
    try {
      long count = table.add(id, 1, entry);
      keys.answered(key, count);
      return count;
    } catch (RuntimeException e) {
      keys.settle(key, false);
      throw StoreRefusals.of(e);
    } finally {
      shared.unlock();
    }
  }

  /** Records and applies a bulk add as {@link #play} does one play. */
  private Map<String, Long> addAll(Map<String, Long> plays, Entry entry, Key key) {
    Lock shared = log.changes();
    shared.lock();
    try {
      Map<String, Long> added = table.addAll(plays, entry);
      keys.answered(key, added);
      return added;
    } catch (RuntimeException e) {
      keys.settle(key, false);
      throw StoreRefusals.of(e);
    } finally {
      shared.unlock();
    }
  }

  /** Settles the key by the outcome; true when the change counts and was acknowledged. */
  private boolean settled(Outcome outcome, Key key) {
    keys.settle(key, outcome.counts());
    return outcome.kind() == Outcome.Kind.ACKNOWLEDGED;
  }

  /** Settles the key, then throws unless the change was acknowledged. */
  private void settle(Outcome outcome, Key key) {
    if (!settled(outcome, key)) {
      throw StoreRefusals.of(outcome);
    }
  }

}
