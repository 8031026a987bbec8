package org.playcounter.http;

/** The conformance suite against durable deployments in Jetty 12.1, with fsync=interval. */
class Jetty121DurableIntervalIT extends DurableConformance {
  Jetty121DurableIntervalIT() {
    super(ServletContainer.Kind.JETTY_12_1, "interval");
  }
}
