/**
 * The Java client of playcounter servers, a jar of its own outside the WAR: {@link
 * org.playcounter.client.PlayCounterClient} places each song on one server by rendezvous hashing,
 * sends every write with an idempotency key, asks all servers at once for the calls that span
 * every song, and reports every failure as one {@link
 * org.playcounter.client.PlayCounterException}.
 *
 * <p>It calls {@code org.playcounter.wire} (song-id rules, the counts codec), Apache HttpClient 5
 * (the classic, blocking client: the one transport that kept up with the server when measured
 * against the JDK's, Jetty's and OkHttp's) and the JDK, and nothing else: no other playcounter
 * package. The client jar carries HttpClient 5 shaded under {@code
 * org.playcounter.client.shaded}, so it still needs no dependency of its own.
 */
package org.playcounter.client;
