package org.playcounter.store;

/**
 * What a change's caller hears once the change is acknowledged with the durability its mode
 * promises ({@code failure} null), or refused; called on whichever thread finished it, so it
 * must hand any blocking work elsewhere.
 */
@FunctionalInterface
public interface Acknowledgement<T> {
  void done(T result, StorageFailedException failure);
}
