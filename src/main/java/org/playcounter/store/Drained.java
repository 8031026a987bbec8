package org.playcounter.store;

import java.util.List;

/**
 * The counts one drain removed: the stripes' tables themselves, taken whole, so a drain copies
 * nothing and its result streams straight from them. Read-only once made.
 */
public final class Drained {
  private final List<CountTable> tables;
  private final int size;

  Drained(List<CountTable> tables) {
    this.tables = List.copyOf(tables);
    this.size = tables.stream().mapToInt(CountTable::size).sum();
  }

  /** Number of songs drained. */
  public int size() {
    return size;
  }

  /** Hands each drained song and its count to {@code visitor}; no song comes twice. */
  public <X extends Exception> void forEach(CountVisitor<X> visitor) throws X {
    for (CountTable table : tables) {
      table.forEach(visitor);
    }
  }
}
