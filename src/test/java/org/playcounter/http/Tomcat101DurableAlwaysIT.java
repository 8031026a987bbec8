package org.playcounter.http;

/** The conformance suite against durable deployments in Tomcat 10.1, with fsync=always. */
class Tomcat101DurableAlwaysIT extends DurableConformance {
  Tomcat101DurableAlwaysIT() {
    super(ServletContainer.Kind.TOMCAT_10_1, "always");
  }
}
