package org.playcounter.store.table;

/**
 * Counts taken out of the live table, read-only: by a drain (the stripes' tables themselves,
 * taken whole, so a drain copies nothing and its result streams straight from them), or as a
 * pending drain's parts. Safe to read from any thread once made, since nothing writes them again.
 */
public final class SongCounts {
  private final CountTable[] stripes;
  private final int size;

  /** {@code stripes[s]} holds the songs of stripe {@code s}, or is null. */
  SongCounts(CountTable[] stripes) {
    this.stripes = stripes.clone();
    int songs = 0;
    for (CountTable table : stripes) {
      songs += table == null ? 0 : table.size();
    }
    this.size = songs;
  }

  /** Number of songs. */
  public int size() {
    return size;
  }

  /** Hands each song and its count to {@code visitor}; no song comes twice. */
  public <X extends Exception> void forEach(SongVisitor<X> visitor) throws X {
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
}
