/**
 * The HTTP server: the servlet and what it needs to answer the API of {@code API.md} in any
 * Servlet 6.0 container, and nothing else. It reads requests (routes, headers, bodies,
 * {@code Idempotency-Key} and the fingerprint of a keyed write), answers them in one-line or
 * streamed bodies, maps the store's refusals to statuses, and counts what operators watch.
 *
 * <p>It may call the store's API ({@code org.playcounter.store}: {@code PlayCountStore}, its
 * values and exceptions; none of the store's inner packages), the shared wire rules
 * ({@code org.playcounter.wire}: song ids and the {@code id=count} and JSON codecs), the
 * Servlet API ({@code jakarta.servlet}) and the Prometheus Java client
 * ({@code io.prometheus.metrics}), besides the JDK. Nothing else in the project calls it: the
 * container finds it through {@code web.xml}.
 */
package org.playcounter.server;
