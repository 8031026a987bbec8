package org.playcounter.http;

/** The conformance suite against the built WAR in Jetty 12.1 (jetty-home, ee10). */
class Jetty121IT extends ContainerConformance {
  Jetty121IT() {
    super(ServletContainer.Kind.JETTY_12_1);
  }
}
