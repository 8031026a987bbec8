package org.playcounter.server;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/** A scrape request whose {@code Accept} header no longer asks for the protobuf format. */
final class TextOnlyRequest extends HttpServletRequestWrapper {
  /** The protobuf exposition format's media type, which the WAR leaves out (2 MB of protobuf). */
  private static final String PROTOBUF = "application/vnd.google.protobuf";

  private final String accept;

  private TextOnlyRequest(HttpServletRequest request, String accept) {
    super(request);
    this.accept = accept;
  }

  /** {@code request} itself, or wrapped without the protobuf format when its Accept asks. */
  static HttpServletRequest of(HttpServletRequest request) {
    String accept = RequestHeaders.accept(request);
    return accept == null || !accept.contains(PROTOBUF) ? request
        : new TextOnlyRequest(request, textOnly(accept));
  }

  /** {@code accept} without the protobuf format's media ranges. */
  static String textOnly(String accept) {
    StringBuilder kept = new StringBuilder();
    for (String range : accept.split(",")) {
      if (!range.contains(PROTOBUF)) {
        kept.append(kept.length() == 0 ? "" : ",").append(range);
      }
    }
    return kept.toString();
  }

  @Override
  public String getHeader(String name) {
    return name.equalsIgnoreCase("Accept") ? accept : super.getHeader(name);
  }

  @Override
  public Enumeration<String> getHeaders(String name) {
    return name.equalsIgnoreCase("Accept") ? Collections.enumeration(List.of(accept))
        : super.getHeaders(name);
  }
}
