/**
 * The store's API: {@link org.playcounter.store.PlayCountStore}, the play counts of one
 * deployment, opened from one {@link org.playcounter.store.StoreOptions} value, with the values
 * it hands out ({@code Drained}, {@code PendingDrain}, {@code KeyedRequest}, {@code KeyLookup},
 * {@code StoreStats}) and the exceptions that say why a change was refused. Above three rooms:
 * the table ({@code store.table}: the counts in memory), the journal ({@code store.journal}, with
 * its format in {@code store.format}: what survives a restart) and the keys ({@code
 * store.keys}: what idempotent writes answered). What the rooms refuse becomes the API's
 * exceptions in one class, {@code StoreRefusals}.
 *
 * <p>This package may call {@code store.table}, {@code store.keys}, {@code store.journal},
 * {@code store.format} (for the file opener of its options) and the JDK; the HTTP server calls
 * this package only, never a room.
 */
package org.playcounter.store;
