package org.playcounter.store.table;

/**
 * Where {@link SongTable} records a change, under the locks it applies the change under and
 * before it applies it, so that a journal holds each song's changes in the order memory saw
 * them. A recorder that cannot take the change throws, and the table then changes nothing.
 */
public interface Recorder {
  /** Records nothing: a store in memory only. */
  Recorder NONE = new Recorder() {
    @Override
    public void record(Change change) {}

    @Override
    public boolean records() {
      return false;
    }
  };

  /** Takes {@code change}, which is about to be applied; throws to refuse it. */
  void record(Change change);

  /** False for a recorder that keeps nothing, so that the hot path makes no change for it. */
  default boolean records() {
    return true;
  }
}
