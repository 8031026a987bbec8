package org.playcounter.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server on a free loopback port that answers every request with the headers of a 200 whose
 * {@code Content-Length: 100} it never honours: one byte of body, then nothing, until the client
 * closes the connection (counted in {@link #closedByClient}) or {@link #close} ends it. Each
 * connection is held for at most 120 s.
 */
public final class StallingServer implements AutoCloseable {
  private static final int HOLD_MILLIS = 120_000;

  private final ServerSocket socket;
  private final List<Socket> accepted = new CopyOnWriteArrayList<>();
  /** Requests whose headers were read and answered with the stalling head. */
  public final AtomicInteger requests = new AtomicInteger();
  /** Connections the client closed while the body was still owed. */
  public final AtomicInteger closedByClient = new AtomicInteger();

  public StallingServer() throws IOException {
    socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "stalling-server-" + socket.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public URI uri() {
    return URI.create("http://127.0.0.1:" + socket.getLocalPort());
  }

  private void accept() {
    while (!socket.isClosed()) {
      try {
        Socket connection = socket.accept();
        accepted.add(connection);
        Thread stall = new Thread(() -> stall(connection), "stalling-connection");
        stall.setDaemon(true);
        stall.start();
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void stall(Socket connection) {
    try (connection) {
      connection.setSoTimeout(HOLD_MILLIS);
      InputStream in = connection.getInputStream();
      int matched = 0;
      while (matched < 4) { // up to the empty line that ends the request's headers
        int b = in.read();
        if (b < 0) {
          return;
        }
        matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
      }
      requests.incrementAndGet();
      connection.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
          + "Content-Length: 100\r\n\r\n1").getBytes(StandardCharsets.ISO_8859_1));
      connection.getOutputStream().flush();
      if (in.read() < 0) {
        closedByClient.incrementAndGet();
      }
    } catch (SocketTimeoutException e) {
      // held for HOLD_MILLIS: given up on by us, not by the client
    } catch (IOException e) {
      if (!socket.isClosed()) {
        closedByClient.incrementAndGet(); // a reset: the client gave up too
      }
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
    for (Socket connection : accepted) {
      connection.close();
    }
  }
}
