package org.playcounter.store;

/**
 * Counts taken out of the live table: by a drain (the stripes' tables themselves, taken whole, so
 * a drain copies nothing and its result streams straight from them) or rebuilt by recovery for a
 * pending drain. Read-only once made: {@link #without} and {@link #with} return new ones that
 * share every stripe but the song's.
 */
public final class Drained {
  private final CountTable[] stripes;
  private final int size;

  /** {@code stripes[s]} holds the songs of {@link SongTable} stripe {@code s}, or is null. */
  Drained(CountTable[] stripes) {
    this.stripes = stripes.clone();
    int songs = 0;
    for (CountTable table : stripes) {
      songs += table == null ? 0 : table.size();
    }
    this.size = songs;
  }

  /** Number of songs drained. */
  public int size() {
    return size;
  }

  /** The song's count in it, 0 when absent. */
  long get(String id, int hash) {
    CountTable table = stripes[SongTable.stripeNumber(hash)];
    return table == null ? 0 : table.get(id, hash);
  }

  /** The same counts without the song (this one when it is absent). */
  Drained without(String id, int hash) {
    int s = SongTable.stripeNumber(hash);
    if (stripes[s] == null || stripes[s].get(id, hash) == 0) {
      return this;
    }
    CountTable[] changed = stripes.clone();
    changed[s] = stripes[s].copy();
    changed[s].remove(id, hash);
    return new Drained(changed);
  }

  /** The same counts with {@code count} more plays of the song. */
  Drained with(String id, int hash, long count) {
    int s = SongTable.stripeNumber(hash);
    CountTable[] changed = stripes.clone();
    changed[s] = stripes[s] == null ? new CountTable() : stripes[s].copy();
    changed[s].add(id, hash, count);
    return new Drained(changed);
  }

  /** Hands each drained song and its count to {@code visitor}; no song comes twice. */
  public <X extends Exception> void forEach(CountVisitor<X> visitor) throws X {
    for (CountTable table : stripes) {
      if (table != null) {
        table.forEach(visitor);
      }
    }
  }

  /** The part in stripe {@code s}, or null; never changed. */
  CountTable part(int s) {
    return stripes[s];
  }

  /** Hands the songs of stripe {@code s} to {@code visitor}. */
  <X extends Exception> void forEachIn(int s, CountVisitor<X> visitor) throws X {
    if (stripes[s] != null) {
      stripes[s].forEach(visitor);
    }
  }

  /** Bytes of its tables' arrays. */
  long bytes() {
    long bytes = 0;
    for (CountTable table : stripes) {
      bytes += table == null ? 0 : table.bytes();
    }
    return bytes;
  }
}
