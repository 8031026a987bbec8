/**
 * The keys: the idempotency keys a store remembers with the answers their writes got
 * ({@code KeyTable} over the arrays of {@code KeyRing}), copied for snapshots
 * ({@code KeyCopy}), and settled by every keyed write in the same three steps
 * ({@code KeySettlement}). The HTTP fingerprint of a request is the server's; this package sees
 * only its hashes ({@code Key}).
 *
 * <p>This package may call only the JDK.
 */
package org.playcounter.store.keys;
