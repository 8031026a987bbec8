/**
 * What the server, its store and the client share: the song-id rules ({@link
 * org.playcounter.wire.SongId}) and the codecs of a set of counts, the {@code id=count} text and
 * JSON ({@link org.playcounter.wire.CountsFormat}), so that every side accepts and writes exactly
 * the same.
 *
 * <p>It calls the JDK alone ({@code java.io}, {@code java.util}) and no other playcounter
 * package, so that any of them may depend on it without a cycle.
 */
package org.playcounter.wire;
