package org.playcounter.store;

import java.util.concurrent.locks.Lock;
import java.util.function.Consumer;
import org.playcounter.store.journal.Entry;
import org.playcounter.store.journal.Log;
import org.playcounter.store.journal.Outcome;
import org.playcounter.store.keys.Key;
import org.playcounter.store.keys.KeySettlement;
import org.playcounter.store.table.SongCounts;
import org.playcounter.store.table.SongTable;

/**
 * The store's changes that take counts out, for {@link PlayCountStore}: removing a song, the
 * one-step drain, pending drains and their acknowledgement, and the put-back of a drain that
 * could not be delivered. Each is forced to disk before it returns (a restart never brings a
 * drained play back) and stands once in the file: memory and file agree that the counts are
 * gone, so the caller must deliver them even when the fsync failed (the journal then refuses
 * everything after, and the failure is logged).
 */
final class StoreDrains {
  private final SongTable table;
  private final Log log;
  private final KeySettlement keys;
  private final Deliveries deliveries;
  private final Consumer<String> warnings;

  StoreDrains(SongTable table, Log log, KeySettlement keys, Deliveries deliveries,
      Consumer<String> warnings) {
    this.table = table;
    this.log = log;
    this.keys = keys;
    this.deliveries = deliveries;
    this.warnings = warnings;
  }

  long remove(String id) {
    Entry entry = log.entry(true, null);
    long count;
    Lock shared = hold();
    try {
      count = table.removals().remove(id, entry);
    } catch (RuntimeException e) {
      throw StoreRefusals.of(e);
    } finally {
      shared.unlock();
    }
    if (count > 0) {
      stands(entry.await(), "the removal of " + id);
    }
    return count;
  }

  Drained drain() {
    Entry entry = log.entry(true, null);
    SongCounts drained;
    Lock shared = hold();
    try {
      drained = table.removals().drain(entry);
    } catch (RuntimeException e) {
      throw StoreRefusals.of(e);
    } finally {
      shared.unlock();
    }
    if (drained.size() > 0) {
      stands(entry.await(), "a drain of " + drained.size() + " songs");
    }
    return new Drained(drained);
  }

  <X extends Exception> Drained drain(PlayCountStore.Delivery<X> delivery) throws X {
    return deliveries.run(this::drain, delivery, this::putBack);
  }

  PendingDrain create(int limit, Key key) {
    Entry entry = log.entry(true, key);
    PendingDrain drain;
    Lock shared = hold();
    try {
      var made = table.drains().create(limit, entry);
      drain = new PendingDrain(made.number(), new Drained(made.counts()));
      keys.answered(key, drain.number());
    } catch (RuntimeException e) {
      keys.settle(key, false);
      throw StoreRefusals.of(e);
    } finally {
      shared.unlock();
    }
    try {
      stands(entry.await(), "pending drain " + drain.number());
    } catch (RuntimeException e) {
      keys.settle(key, false);
      throw e;
    }
    keys.settle(key, true);
    return drain;
  }

  boolean acknowledge(long number) {
    Entry entry = log.entry(true, null);
    SongCounts acknowledged;
    Lock shared = hold();
    try {
      acknowledged = table.drains().acknowledge(number, entry);
    } catch (RuntimeException e) {
      throw StoreRefusals.of(e);
    } finally {
      shared.unlock();
    }
    if (acknowledged != null) {
      stands(entry.await(), "the acknowledgement of drain " + number);
    }
    return acknowledged != null;
  }

  /**
   * Puts drained counts back, forced to disk in both modes; if the journal cannot take them,
   * they go to a file of their own ({@link Deliveries#rescue}) and the failure is thrown.
   */
  void putBack(Drained drained) {
    if (drained.size() == 0) {
      return;
    }
    try {
      Entry entry = log.entry(true, null);
      Lock shared = hold();
      try {
        table.removals().putBack(drained.counts(), entry);
      } catch (RuntimeException e) {
        throw StoreRefusals.of(e);
      } finally {
        shared.unlock();
      }
      stands(entry.await(), "the put-back of a drain of " + drained.size() + " songs");
    } catch (StorageFailedException e) {
      deliveries.rescue(drained, e);
      throw e;
    }
  }

  private Lock hold() {
    Lock shared = log.changes();
    shared.lock();
    return shared;
  }

  /** A removal refused throws; one in the file stands, forced or not (said in the log). */
  private void stands(Outcome outcome, String what) {
    if (outcome.kind() == Outcome.Kind.REFUSED) {
      throw new StorageFailedException(outcome.reason());
    }
    if (outcome.kind() == Outcome.Kind.WRITTEN_NOT_FORCED) {
      warnings.accept("playcounter: " + what + " is in the journal but could not be forced to"
          + " disk; it stands");
    }
  }
}
