/**
 * The Java client of playcounter servers, a jar of its own outside the WAR: {@link
 * org.playcounter.client.PlayCounterClient} places each song on one server by rendezvous hashing,
 * sends every write with an idempotency key, asks all servers at once for the calls that span
 * every song, and reports every failure as one {@link
 * org.playcounter.client.PlayCounterException}.
 *
 * <p>It calls {@code org.playcounter.wire} (song-id rules, the counts codec), the JDK's
 * {@code java.net.http.HttpClient} and the rest of the JDK, and nothing else: no other playcounter
 * package and no library, so the jar needs no dependency.
 */
package org.playcounter.client;
