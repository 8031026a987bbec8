/**
 * The table: the play counts in memory, in 256 lock stripes chosen by one hash
 * ({@code SongHash}), each an open-addressing {@code CountTable}; the song limit
 * ({@code SongLimit}); the pending drains ({@code PendingDrains}); the removals
 * ({@code Removals}); the cut a snapshot reads as of ({@code SnapshotCut}); and recovery's way in
 * ({@code TableReplay}). Every change is handed to a {@code Recorder} as one immutable
 * {@code Change}, which carries its own undo, under the locks it is applied under.
 *
 * <p>This package may call only the JDK: it names nothing that records or uses it.
 */
package org.playcounter.store.table;
