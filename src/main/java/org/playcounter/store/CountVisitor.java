package org.playcounter.store;

/** Receives the songs of a snapshot or a drain, one pair at a time. */
@FunctionalInterface
public interface CountVisitor<X extends Exception> {
  /** One song and its count, which is at least 1. */
  void visit(String id, long count) throws X;
}
