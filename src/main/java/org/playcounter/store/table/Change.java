package org.playcounter.store.table;

/**
 * One change of a {@link SongTable} as its {@link Recorder} receives it: one small immutable
 * value per kind, made under the locks the change is applied under, each carrying its own undo.
 * {@link #undo} takes a change that never reached the file back out of the table, which still
 * holds it; changes are undone newest first, while no other change runs, so every count it
 * touches is as the change left it. The arrays a change holds are never written after.
 */
public sealed interface Change {
  /** Takes the change back out of {@code table}. */
  void undo(SongTable table);

  /** {@code delta} plays of one song, whose count (live and pending) became {@code after}. */
  record Plays(String id, long delta, long after) implements Change {
    @Override
    public void undo(SongTable table) {
      table.removals().takeBack(id, delta);
    }
  }

  /**
   * Plays of several distinct songs, all or nothing, with each song's count after them
   * ({@code afters} null for a put-back, whose answers nobody hears).
   */
  record Bulk(String[] ids, long[] deltas, long[] afters) implements Change {
    @Override
    public void undo(SongTable table) {
      for (int i = 0; i < ids.length; i++) {
        table.removals().takeBack(ids[i], deltas[i]);
      }
    }
  }

  /** Every live count, removed by a one-step drain. */
  record Drain(SongCounts counts) implements Change {
    @Override
    public void undo(SongTable table) {
      counts.forEach((id, count) -> table.removals().takeBack(id, -count));
    }
  }

  /** A drain's counts put back whole, for a drain that could not be delivered. */
  record PutBack(SongCounts counts) implements Change {
    @Override
    public void undo(SongTable table) {
      counts.forEach(table.removals()::takeBack);
    }
  }

  /**
   * One song removed: {@code live} plays from the live table (maybe 0) and {@code counts[i]}
   * from pending drain {@code drains[i]}.
   */
  record Removal(String id, long live, long[] drains, long[] counts) implements Change {
    @Override
    public void undo(SongTable table) {
      table.removals().undoRemoval(id, live, drains, counts);
    }
  }

  /** Every live count moved into new pending drain {@code number}. */
  record DrainMade(long number, SongCounts counts) implements Change {
    @Override
    public void undo(SongTable table) {
      table.drains().undoCreate(number, counts);
    }
  }

  /** Pending drain {@code number}, holding {@code counts}, acknowledged: gone. */
  record DrainAcknowledged(long number, SongCounts counts) implements Change {
    @Override
    public void undo(SongTable table) {
      table.drains().undoAcknowledge(number, counts);
    }
  }
}
