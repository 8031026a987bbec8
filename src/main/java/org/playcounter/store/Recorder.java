package org.playcounter.store;

/**
 * Where {@link SongTable} records a change, under the locks it applies the change under and
 * before it applies it, so that the journal holds each song's changes in the order memory saw
 * them. A recorder that cannot take the change throws, and the table then changes nothing.
 */
interface Recorder {
  /** Records nothing: a store in memory only. */
  Recorder NONE = new Recorder() {
    @Override
    public void one(String id, long delta, long after) {}

    @Override
    public void many(String[] ids, long[] deltas, long[] afters) {}

    @Override
    public void drained(Drained drained, int sign) {}

    @Override
    public void drainCreated(long number, Drained drained) {}

    @Override
    public void acknowledged(long number, Drained drained) {}

    @Override
    public void removed(String id, long live, long[] numbers, long[] counts) {}
  };

  /**
   * A change of one song whose count, live and pending, is {@code after} once it is applied: the
   * answer its request gets, which a keyed change records so that a replay gives that answer and
   * not whatever the journal's order would recompute.
   */
  void one(String id, long delta, long after);

  /**
   * A change of several distinct songs, all or nothing, with each song's count after it as
   * {@link #one} has it ({@code afters} null when no request hears them); the arrays are not
   * changed later.
   */
  void many(String[] ids, long[] deltas, long[] afters);

  /** Every count of a drain, times {@code sign}: -1 for the drain, +1 for its put-back. */
  void drained(Drained drained, int sign);

  /** Every live count moved into new pending drain {@code number}. */
  void drainCreated(long number, Drained drained);

  /** Pending drain {@code number}, holding {@code drained}, acknowledged: gone. */
  void acknowledged(long number, Drained drained);

  /**
   * A song removed: {@code live} plays from the live table (maybe 0) and {@code counts[i]} from
   * pending drain {@code numbers[i]}.
   */
  void removed(String id, long live, long[] numbers, long[] counts);
}
