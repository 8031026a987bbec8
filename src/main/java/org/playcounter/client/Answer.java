package org.playcounter.client;

import java.util.ArrayList;
import java.util.List;

/**
 * A server's whole answer to one request: status, the headers the client reads, and the body as
 * text.
 *
 * @param status the HTTP status
 * @param body the body, empty for none
 * @param headers name and value pairs in the order received
 */
record Answer(int status, String body, List<String[]> headers) {
  /** The first value of the header named {@code name} (any case), or null. */
  String header(String name) {
    for (String[] header : headers) {
      if (header[0].equalsIgnoreCase(name)) {
        return header[1];
      }
    }
    return null;
  }

  /** Every value of the header named {@code name} (any case), in order. */
  List<String> headers(String name) {
    List<String> values = new ArrayList<>(1);
    for (String[] header : headers) {
      if (header[0].equalsIgnoreCase(name)) {
        values.add(header[1]);
      }
    }
    return values;
  }
}
