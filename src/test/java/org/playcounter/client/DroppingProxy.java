package org.playcounter.client;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on a loopback port in front of one server, for tests of lost answers: it forwards
 * each HTTP/1.1 request and its answer, except that the first time it sees an
 * {@code Idempotency-Key} it forwards the request, reads the whole answer, runs
 * {@link #onDrop} and then closes the client's connection without a byte of the answer. So the
 * server did the work and the client never heard. If the server cannot be reached it tries
 * again for up to a minute (a restart), at whatever {@link #upstream} says then.
 */
final class DroppingProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final Set<String> seen = ConcurrentHashMap.newKeySet();
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile URI upstream;
  /** Runs after a dropped answer was read, before the client's connection is closed. */
  volatile Runnable onDrop = () -> { };
  final AtomicInteger dropped = new AtomicInteger();
  private final Thread acceptor;

  DroppingProxy(URI upstream) throws IOException {
    this.upstream = upstream;
    listener = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
    acceptor = new Thread(this::accept, "dropping-proxy");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** The proxy's base URI, with the upstream's path. */
  URI uri() {
    return URI.create("http://127.0.0.1:" + listener.getLocalPort() + upstream.getRawPath());
  }

  /** Points the proxy at another server (a restarted one) from the next connection on. */
  void upstream(URI upstream) {
    this.upstream = upstream;
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        open.add(client);
        Thread serve = new Thread(() -> serve(client), "dropping-proxy-connection");
        serve.setDaemon(true);
        serve.start();
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  /** One client connection: its requests in turn, over one connection to the server. */
  private void serve(Socket client) {
    Socket server = null;
    try (client) {
      client.setSoTimeout(60_000);
      InputStream fromClient = new BufferedInputStream(client.getInputStream());
      OutputStream toClient = client.getOutputStream();
      InputStream fromServer = null;
      while (true) {
        byte[] request = readMessage(fromClient, true);
        if (request == null) {
          return;
        }
        if (server == null) {
          server = connect();
          open.add(server);
          fromServer = new BufferedInputStream(server.getInputStream());
        }
        server.getOutputStream().write(request);
        byte[] answer = readMessage(fromServer, false);
        if (answer == null) {
          return;
        }
        String key = header(request, "idempotency-key");
        if (key != null && seen.add(key)) {
          dropped.incrementAndGet();
          onDrop.run();
          return; // closes the client's connection: the answer is lost
        }
        toClient.write(answer);
        toClient.flush();
      }
    } catch (IOException e) {
      // either side went away: so does this connection
    } finally {
      if (server != null) {
        try {
          server.close();
        } catch (IOException ignored) {
          // closing anyway
        }
        open.remove(server);
      }
      open.remove(client);
    }
  }

  private Socket connect() throws IOException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (true) {
      URI target = upstream;
      try {
        Socket socket = new Socket(target.getHost(), target.getPort());
        socket.setSoTimeout(60_000);
        return socket;
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  /**
   * One HTTP/1.1 message: head and a body of {@code Content-Length} bytes or chunks; null at the
   * end of the stream before a message starts.
   */
  private static byte[] readMessage(InputStream in, boolean request) throws IOException {
    ByteArrayOutputStream message = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        if (message.size() == 0) {
          return null;
        }
        throw new IOException("the stream ended in a message's head");
      }
      message.write(b);
      matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    byte[] head = message.toByteArray();
    String length = header(head, "content-length");
    String encoding = header(head, "transfer-encoding");
    if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
      while (true) {
        String size = line(in, message);
        int n = Integer.parseInt(size.split(";")[0].trim(), 16);
        message.write(in.readNBytes(n + 2));
        if (n == 0) {
          return message.toByteArray();
        }
      }
    }
    if (length != null) {
      message.write(in.readNBytes(Integer.parseInt(length.trim())));
    } else if (!request) {
      throw new IOException("an answer without a length");
    }
    return message.toByteArray();
  }

  private static String line(InputStream in, ByteArrayOutputStream copy) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new IOException("the stream ended in a chunk size");
      }
      copy.write(b);
      if (b != '\r') {
        line.append((char) b);
      }
    }
    copy.write('\n');
    return line.toString();
  }

  /** The value of a header in a message's head, or null. */
  private static String header(byte[] message, String name) {
    String text = new String(message, StandardCharsets.ISO_8859_1);
    int headEnd = text.indexOf("\r\n\r\n");
    for (String line : text.substring(0, headEnd < 0 ? text.length() : headEnd).split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
        return line.substring(colon + 1).trim();
      }
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    listener.close();
    for (Socket socket : open) {
      socket.close();
    }
  }
}
