package org.playcounter.http;

/** The conformance suite against durable deployments in Tomcat 10.1, with fsync=interval. */
class Tomcat101DurableIntervalIT extends DurableConformance {
  Tomcat101DurableIntervalIT() {
    super(ServletContainer.Kind.TOMCAT_10_1, "interval");
  }
}
