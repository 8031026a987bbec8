package org.playcounter.store.table;

/** Receives songs with their counts, one pair at a time. */
@FunctionalInterface
public interface SongVisitor<X extends Exception> {
  /** One song and its count, which is at least 1. */
  void visit(String id, long count) throws X;
}
