package org.playcounter.server;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;

/**
 * The OpenAPI 3.1 document of the HTTP contract, {@code openapi.json} beside this class, read
 * once when the servlet starts and served as it is at {@code /openapi.json}. Immutable.
 */
final class OpenApiDocument {
  /** The resource's name, relative to this class. */
  static final String RESOURCE = "openapi.json";
  static final String CONTENT_TYPE = "application/json";

  private final byte[] bytes;

  private OpenApiDocument(byte[] bytes) {
    this.bytes = bytes;
  }

  /**
   * Reads the document from the classpath.
   *
   * @throws IllegalStateException when it is missing: a WAR built without its resources
   */
  static OpenApiDocument load() {
    try (InputStream in = OpenApiDocument.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("playcounter cannot start: " + RESOURCE
            + " is missing from the WAR");
      }
      return new OpenApiDocument(in.readAllBytes());
    } catch (IOException e) {
      throw new IllegalStateException("playcounter cannot read " + RESOURCE + ": " + e, e);
    }
  }

  /** The document's bytes, a copy. */
  byte[] bytes() {
    return bytes.clone();
  }

  /** Answers {@code GET} (or, {@code head}, {@code HEAD}) of the document: 200, JSON. */
  void send(HttpServletResponse response, boolean head) throws IOException {
    ResponseBody.send(response, head, 200, CONTENT_TYPE, bytes);
  }
}
