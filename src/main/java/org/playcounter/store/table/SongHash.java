package org.playcounter.store.table;

/**
 * The one hash of a song id, used for everything the table derives from an id: its stripe (the
 * top 8 bits) and its slot in the stripe's table (the low bits). Java's string hash, which a
 * {@code String} caches, well mixed; the same value from the id's ASCII bytes, so that recovery
 * makes no string per song.
 */
public final class SongHash {
  private SongHash() {}

  /** The hash of an id. */
  static int of(String id) {
    return mix(id.hashCode());
  }

  /** The same hash of an ASCII id given as bytes, {@code b[from, from + length)}. */
  static int of(byte[] b, int from, int length) {
    int h = 0;
    for (int i = from; i < from + length; i++) {
      h = 31 * h + b[i];
    }
    return mix(h);
  }

  /** The stripe of the ASCII id {@code b[from, from + length)}: recovery splits work by it. */
  public static int stripe(byte[] b, int from, int length) {
    return stripe(of(b, from, length));
  }

  /** The stripe of a hash: its top bits. */
  static int stripe(int hash) {
    return hash >>> 24;
  }

  /** MurmurHash3's finalizer: every bit of the input moves about half the output bits. */
  private static int mix(int h) {
    h ^= h >>> 16;
    h *= 0x85EBCA6B;
    h ^= h >>> 13;
    h *= 0xC2B2AE35;
    return h ^ (h >>> 16);
  }
}
