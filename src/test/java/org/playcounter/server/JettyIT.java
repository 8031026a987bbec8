package org.playcounter.server;

/** The conformance suite against the built WAR in a Jetty 12 (ee10) distribution. */
class JettyIT extends ConformanceSuite {
  @Override
  ServletContainer.Kind kind() {
    return ServletContainer.Kind.JETTY;
  }
}
