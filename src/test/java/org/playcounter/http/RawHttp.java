package org.playcounter.http;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * HTTP/1.1 spoken by hand over a socket, for tests that must choose every byte they send or must
 * know, for each request, whether its answer arrived.
 */
final class RawHttp {
  private RawHttp() {}

  /**
   * Sends {@code request} as bytes on a new connection, half-closes it, and returns everything
   * the server answered until it closed, reset, or was quiet for 10 seconds.
   */
  static String exchange(URI base, String request) throws IOException {
    try (Socket socket = new Socket(base.getHost(), base.getPort())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      try {
        out.write(request.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        socket.shutdownOutput();
      } catch (IOException e) {
        // the server may answer and close before it reads everything: read what it said
      }
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      try {
        for (int n; (n = in.read(buffer)) > 0; ) {
          answer.write(buffer, 0, n);
        }
      } catch (SocketTimeoutException | SocketException e) {
        // quiet or reset after answering: what arrived is the answer
      }
      return answer.toString(StandardCharsets.ISO_8859_1);
    }
  }

  /**
   * One HTTP/1.1 connection kept alive across requests, written and read by hand, so that a
   * concurrency test knows for each request whether its answer arrived: it reconnects only when
   * the server said {@code Connection: close}, and any other loss fails the test.
   */
  static final class KeepAlive implements AutoCloseable {
    private final URI base;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    KeepAlive(URI base) {
      this.base = base;
    }

    /**
     * Sends one request without a body to {@code path} within the base URI's context; returns
     * the status code and the body.
     */
    String[] send(String method, String path, String extraHeaders) throws IOException {
      return send(method, path, extraHeaders, "");
    }

    /** Sends one request with a body of ASCII text; returns the status code and the body. */
    String[] send(String method, String path, String extraHeaders, String body)
        throws IOException {
      if (socket == null) {
        socket = new Socket(base.getHost(), base.getPort());
        socket.setSoTimeout(30_000);
        socket.setTcpNoDelay(true);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
      }
      out.write((method + " " + base.getRawPath() + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + extraHeaders + "Content-Length: " + body.length() + "\r\n\r\n" + body)
          .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      String status = line();
      long length = -1;
      boolean chunked = false;
      boolean close = false;
      for (String header = line(); !header.isEmpty(); header = line()) {
        String lower = header.toLowerCase(Locale.ROOT);
        if (lower.startsWith("content-length:")) {
          length = Long.parseLong(lower.substring(15).trim());
        } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
          chunked = true;
        } else if (lower.startsWith("connection:") && lower.contains("close")) {
          close = true;
        }
      }
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      if (chunked) {
        for (int size = Integer.parseInt(line().split(";")[0].trim(), 16); size > 0;
            size = Integer.parseInt(line().split(";")[0].trim(), 16)) {
          answer.write(readFully(size));
          line();
        }
        line();
      } else {
        answer.write(readFully((int) Math.max(length, 0)));
      }
      if (close) {
        close();
      }
      return new String[] {status.split(" ")[1], answer.toString(StandardCharsets.ISO_8859_1)};
    }

    private byte[] readFully(int size) throws IOException {
      byte[] bytes = in.readNBytes(size);
      if (bytes.length < size) {
        throw new IOException("connection closed mid-answer after " + bytes.length + " of "
            + size + " bytes");
      }
      return bytes;
    }

    private String line() throws IOException {
      StringBuilder line = new StringBuilder();
      for (int c = in.read(); c != '\n'; c = in.read()) {
        if (c < 0) {
          throw new IOException("connection closed mid-answer after: " + line);
        }
        if (c != '\r') {
          line.append((char) c);
        }
      }
      return line.toString();
    }

    @Override
    public void close() throws IOException {
      if (socket != null) {
        socket.close();
        socket = null;
      }
    }
  }
}
