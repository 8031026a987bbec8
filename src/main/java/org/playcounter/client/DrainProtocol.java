package org.playcounter.client;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.playcounter.wire.MalformedCountsException;

/**
 * The acknowledged (two-step) hand-over of {@link PlayCounterClient} over {@code /drains}: pending
 * drains listed, fetched, made and acknowledged, server by server, the current list's then the previous list's; the
 * client's public methods document each call.
 *
 * <p>It keeps no state of its own, so one instance serves every thread; each drain is made and
 * forgotten atomically by its server, and a drain another caller acknowledges between its listing
 * and its fetch is left out. A failure stops the call at the first server that fails, with that
 * server's {@link PlayCounterException}; nothing is lost by it, since every drain stays pending
 * on its server until it is acknowledged.
 */
final class DrainProtocol {
  /** Every server of the client, the previous ones too: each holds drains of its own. */
  private final List<URI> servers;
  private final ServerCalls calls;

  DrainProtocol(List<URI> servers, ServerCalls calls) {
    this.servers = List.copyOf(servers);
    this.calls = calls;
  }

  List<PendingDrain> drain() {
    List<PendingDrain> drains = new ArrayList<>();
    for (URI server : servers) {
      drains.addAll(pendingDrains(server));
      try {
        drains.add(createDrain(server));
      } catch (PlayCounterException e) {
        // 409 is only "too many pending drains" here: the Exchange waits out a 409 with
        // Retry-After (our own POST still in progress) and fails the call with -1 if it lasts.
        if (e.status() != 409) {
          throw e;
        }
      }
    }
    return drains;
  }

  List<PendingDrain> pendingDrains() {
    List<PendingDrain> drains = new ArrayList<>();
    for (URI server : servers) {
      drains.addAll(pendingDrains(server));
    }
    return drains;
  }

  List<PendingDrain> pendingDrains(URI server) {
    List<PendingDrain> drains = new ArrayList<>();
    for (long number : pendingDrainNumbers(server)) {
      try {
        drains.add(pendingDrain(server, number));
      } catch (PlayCounterException e) {
        if (e.status() != 404) {
          throw e;
        }
      }
    }
    return drains;
  }

  List<Long> pendingDrainNumbers(URI server) {
    return call(server, "GET", "/drains", ServerCalls::parseNumbers);
  }

  PendingDrain pendingDrain(URI server, long number) {
    return call(server, "GET", "/drains/" + number,
        response -> new PendingDrain(server(server), number, ServerCalls.parseCounts(response)));
  }

  PendingDrain createDrain(URI server) {
    return call(server, "POST", "/drains", response -> {
      String location = response.header("Location");
      if (location == null) {
        throw new MalformedCountsException("201 without a Location");
      }
      long number = Long.parseLong(location.substring(location.lastIndexOf('/') + 1));
      return new PendingDrain(server(server), number, ServerCalls.parseCounts(response));
    });
  }

  boolean acknowledge(PendingDrain drain) {
    try {
      call(drain.server(), "DELETE", "/drains/" + drain.number(), response -> response.body());
      return true;
    } catch (PlayCounterException e) {
      if (e.status() == 404) {
        return false;
      }
      throw e;
    }
  }

  /** One request to one of the client's servers, answered by {@code reader}. */
  private <T> T call(URI server, String method, String path, ServerCalls.Reader<T> reader) {
    return calls.call(server(server), method, path, reader);
  }

  /** The normalized form of {@code server}, which must be one of the client's servers. */
  private URI server(URI server) {
    for (URI known : servers) {
      if (known.equals(server) || known.equals(RendezvousRouter.normalize(server))) {
        return known;
      }
    }
    throw new IllegalArgumentException("not one of this client's servers: " + server
        + " (they are " + servers + ")");
  }
}
