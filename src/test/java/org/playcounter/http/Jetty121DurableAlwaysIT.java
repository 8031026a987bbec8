package org.playcounter.http;

/** The conformance suite against durable deployments in Jetty 12.1, with fsync=always. */
class Jetty121DurableAlwaysIT extends DurableConformance {
  Jetty121DurableAlwaysIT() {
    super(ServletContainer.Kind.JETTY_12_1, "always");
  }
}
