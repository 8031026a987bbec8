package org.playcounter.http;

/** The conformance suite against the built WAR in Jetty 12.0 (jetty-home, ee10). */
class Jetty120IT extends ContainerConformance {
  Jetty120IT() {
    super(ServletContainer.Kind.JETTY_12_0);
  }
}
