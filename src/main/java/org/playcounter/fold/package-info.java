/**
 * The fold job, a jar of its own with the JDBC drivers: {@link org.playcounter.fold.FoldJob}
 * takes each server's drains through the acknowledged hand-over and adds them to a relational
 * database, each drain exactly once, so that it may be killed at any point and run again.
 *
 * <p>It calls the public API of {@code org.playcounter.client}, which does all its HTTP, JDBC
 * ({@code java.sql}) and the rest of the JDK; it uses neither {@code org.playcounter.wire} nor an
 * HTTP library directly, nor the server or the store.
 */
package org.playcounter.fold;
