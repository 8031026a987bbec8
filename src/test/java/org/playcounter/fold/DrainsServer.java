package org.playcounter.fold;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Collectors;

/**
 * A stand-in for one server's acknowledged drains ({@code GET/POST /drains},
 * {@code GET/DELETE /drains/{n}}) as the client expects them, guarded by an admin token.
 */
final class DrainsServer {
  final Map<String, Long> live = new ConcurrentHashMap<>();
  final Map<Long, Map<String, Long>> pending = new ConcurrentSkipListMap<>();
  /** How many of the next DELETEs answer 500, as a server that fails would. */
  volatile int failedDeletes;
  /**
   * How many of the next POST /drains answer 409 with Retry-After, as a server still processing
   * the first attempt with that key does.
   */
  volatile int inProgress;
  volatile int maxPending = 8;
  private long next = 7;
  private final HttpServer http;
  private final String token;

  DrainsServer(String token) throws IOException {
    this.token = token;
    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext("/drains", exchange -> {
      try (exchange) {
        synchronized (this) {
          answer(exchange);
        }
      }
    });
    http.start();
  }

  String uri() {
    return "http://127.0.0.1:" + http.getAddress().getPort();
  }

  void stop() {
    http.stop(0);
  }

  private void answer(HttpExchange exchange) throws IOException {
    if (!("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
      send(exchange, 401, "admin token required");
      return;
    }
    String path = exchange.getRequestURI().getPath();
    String method = exchange.getRequestMethod();
    if (path.equals("/drains")) {
      if (method.equals("GET")) {
        send(exchange, 200, pending.keySet().stream().map(String::valueOf)
            .collect(Collectors.joining(",")));
      } else if (inProgress > 0) {
        inProgress--;
        exchange.getResponseHeaders().set("Retry-After", "1");
        send(exchange, 409, "the first request with this Idempotency-Key is still being"
            + " processed; send it again later for its answer");
      } else if (pending.size() >= maxPending) {
        send(exchange, 409, "too many pending drains");
      } else {
        long number = next++;
        pending.put(number, Map.copyOf(live));
        live.clear();
        exchange.getResponseHeaders().set("Location", "/drains/" + number);
        send(exchange, 201, text(pending.get(number)));
      }
      return;
    }
    long number = Long.parseLong(path.substring("/drains/".length()));
    if (!pending.containsKey(number)) {
      send(exchange, 404, "no pending drain " + number);
    } else if (method.equals("GET")) {
      send(exchange, 200, text(pending.get(number)));
    } else if (failedDeletes > 0) {
      failedDeletes--;
      send(exchange, 500, "injected failure");
    } else {
      pending.remove(number);
      send(exchange, 200, "OK");
    }
  }

  private static String text(Map<String, Long> counts) {
    return counts.entrySet().stream().map(count -> count.getKey() + "=" + count.getValue())
        .collect(Collectors.joining(","));
  }

  private static void send(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain;charset=UTF-8");
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    exchange.getResponseBody().write(bytes);
  }
}
