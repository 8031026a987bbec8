/**
 * The journal: where changes are recorded before they are acknowledged, behind one interface,
 * {@code Log}, that a store in memory meets as {@code MemoryLog} and a durable one as
 * {@code Journal}. Inside: the queue of recorded changes and the journal's failed state
 * ({@code ChangeQueue}), group commit ({@code GroupCommit}), the file and its offsets
 * ({@code JournalFile}), the one way a change that did not reach the file leaves memory
 * ({@code TakeBack}), compaction ({@code Compaction}), a change in the record grammar
 * ({@code ChangeEncoder}), and recovery ({@code Recovery}, {@code RecoverySink}). What became of
 * a change is a value, {@code Outcome}.
 *
 * <p>This package may call {@code store.table}, {@code store.keys}, {@code store.format} and the
 * JDK; it never names the store's API above it.
 */
package org.playcounter.store.journal;
