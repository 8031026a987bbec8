/**
 * The data directory's on-disk format, version 3: one grammar for journals and snapshots (a
 * version line, then one-song lines and {@code begin ... end crc} records), its encoder and
 * decoder, the snapshot file's writer and reader, the directory's file names and its lock.
 *
 * <p>This package may call only {@code org.playcounter.wire} (for {@code SongId}) and the JDK;
 * the journal and recovery call it, never the other way round.
 */
package org.playcounter.store.format;
