package org.playcounter.client;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.playcounter.wire.CountsFormat;

/**
 * The wire: Apache HttpClient 5's classic (blocking) client over a pool of keep-alive HTTP/1.1
 * connections per server, each attempt run on its caller's thread and bounded as a whole.
 *
 * <p>Implementation notes. The classic client was chosen by measurement (client docs,
 * "Throughput"): it reads the answer on the thread that waits for it, so a call costs one
 * blocking write and read and no hand-off between threads, where the JDK's {@code HttpClient}
 * hands every answer from its selector thread to an executor and back. The socket timeout
 * bounds each read; a slow server that keeps sending a byte at a time would pass it, so every
 * attempt is also aborted by a timer once its whole time is up, which closes its connection.
 * A pooled connection idle for more than a second is checked before it is reused, because a
 * server closes idle ones (Tomcat after 20 s, Jetty after 30 s) and a request written into a
 * closed connection is lost without an answer. Thread-safe.
 */
final class Transport implements AutoCloseable {
  private static final ContentType TEXT = ContentType.parse(CountsFormat.TEXT.contentType());

  private final PoolingHttpClientConnectionManager pool;
  private final CloseableHttpClient http;
  /** Aborts attempts past their time, and runs the client's other timers. */
  private final ScheduledThreadPoolExecutor timer;
  private volatile boolean closed;

  Transport(Duration connectTimeout, int connectionsPerServer, int servers) {
    ConnectionConfig connections = ConnectionConfig.custom()
        .setConnectTimeout(Timeout.of(connectTimeout))
        .setValidateAfterInactivity(TimeValue.ofSeconds(1))
        .build();
    this.pool = PoolingHttpClientConnectionManagerBuilder.create()
        .setMaxConnPerRoute(connectionsPerServer)
        .setMaxConnTotal(saturatedProduct(connectionsPerServer, servers))
        .setDefaultConnectionConfig(connections)
        .build();
    this.http = HttpClients.custom()
        .setConnectionManager(pool)
        .setUserAgent("playcounter-client")
        .disableAutomaticRetries() // the client's own retries are keyed: see Exchange
        .disableRedirectHandling()
        .disableCookieManagement()
        .disableContentCompression()
        .disableAuthCaching()
        .disableConnectionState()
        .build();
    this.timer = new ScheduledThreadPoolExecutor(1, runnable -> {
      Thread thread = new Thread(runnable, "playcounter-client-timer");
      thread.setDaemon(true);
      return thread;
    });
    timer.setRemoveOnCancelPolicy(true);
    // a client dropped without close() leaves no thread behind once its timer is idle
    timer.setKeepAliveTime(1, TimeUnit.SECONDS);
    timer.allowCoreThreadTimeOut(true);
  }

  /** Whether {@link #close} was called: no attempt starts after it. */
  boolean isClosed() {
    return closed;
  }

  /** The client's timer thread, for delays that must not hold a caller's thread. */
  ScheduledThreadPoolExecutor timer() {
    return timer;
  }

  /** One attempt of {@code request}, not yet sent. */
  Attempt attempt(Request request) {
    return new Attempt(request);
  }

  @Override
  public void close() {
    closed = true;
    timer.shutdownNow();
    http.close(CloseMode.IMMEDIATE);
  }

  private static int saturatedProduct(int a, int b) {
    long product = (long) a * b;
    return product > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) product;
  }

  /** One attempt on the wire, which another thread may {@link #abort}. */
  final class Attempt {
    private final HttpUriRequestBase wire;
    /** Set by the timer when it aborts the attempt because its time is up. */
    private volatile boolean late;

    private Attempt(Request request) {
      wire = new HttpUriRequestBase(request.method(), request.uri());
      wire.addHeader("Accept", "text/plain");
      if (request.key() != null) {
        wire.addHeader("Idempotency-Key", request.key());
      }
      if (request.prefer() != null) {
        wire.addHeader("Prefer", request.prefer());
      }
      if (request.authorization() != null) {
        wire.addHeader("Authorization", request.authorization());
      }
      if (request.body() != null) {
        wire.setEntity(new StringEntity(request.body(), TEXT));
      }
    }

    /**
     * Sends the request and reads its whole answer within {@code limitNanos}.
     *
     * @throws AttemptTimeoutException when the time ran out first (the connection is closed)
     * @throws IOException when no answer came for another reason, or the attempt was aborted
     */
    Answer run(long limitNanos) throws IOException {
      Timeout limit = Timeout.of(Math.max(1, limitNanos / 1_000_000), TimeUnit.MILLISECONDS);
      wire.setConfig(RequestConfig.custom()
          .setConnectionRequestTimeout(limit)
          .setResponseTimeout(limit)
          .build());
      ScheduledFuture<?> deadline;
      try {
        deadline = timer.schedule(() -> {
          late = true;
          wire.cancel();
        }, limitNanos, TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        throw new ClosedException(e);
      }
      try {
        return http.execute(wire, response -> {
          HttpEntity entity = response.getEntity();
          // the service answers UTF-8 whatever its Content-Type says (or a proxy's garbles)
          String body = entity == null ? ""
              : new String(EntityUtils.toByteArray(entity), StandardCharsets.UTF_8);
          List<String[]> headers = new ArrayList<>();
          for (Header header : response.getHeaders()) {
            headers.add(new String[] {header.getName(), header.getValue()});
          }
          return new Answer(response.getCode(), body, headers);
        });
      } catch (InterruptedIOException e) {
        // the socket timeout, the lease's, or the timer's abort: all mean the time is up
        if (late || !wire.isCancelled()) {
          throw new AttemptTimeoutException(limitNanos, e);
        }
        throw e;
      } catch (IOException e) {
        if (late) {
          throw new AttemptTimeoutException(limitNanos, e);
        }
        throw e;
      } catch (IllegalStateException e) {
        // an abort that lands as HttpClient acquires or releases the connection
        if (late) {
          throw new AttemptTimeoutException(limitNanos, e);
        }
        throw new IOException("aborted: " + e.getMessage(), e);
      } finally {
        deadline.cancel(false);
      }
    }

    /** Ends the attempt at once: its caller's read fails and its connection is closed. */
    void abort() {
      wire.cancel();
    }
  }

  /**
   * Whether {@code failure} shows that its attempt never left this machine: the connection was
   * refused, timed out or had no route, or the host has no address. Anything else may have
   * reached the server.
   */
  static boolean neverSent(IOException failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof ConnectException || cause instanceof ConnectTimeoutException
          || cause instanceof NoRouteToHostException || cause instanceof UnknownHostException) {
        return true;
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return false;
  }

  /** The client was closed: no attempt can start, and none is retried. */
  static final class ClosedException extends IOException {
    private static final long serialVersionUID = 1L;

    ClosedException(Throwable cause) {
      super("the client is closed", cause);
    }
  }

  /** No whole answer within an attempt's time, its body included. */
  static final class AttemptTimeoutException extends IOException {
    private static final long serialVersionUID = 1L;

    AttemptTimeoutException(long limitNanos, Throwable cause) {
      super("no complete answer within " + (limitNanos + 999_999) / 1_000_000
          + " ms, its body included", cause);
    }
  }
}
