package org.playcounter.server;

/** The conformance suite against the built WAR in a Tomcat 10.1 distribution. */
class TomcatIT extends ConformanceSuite {
  @Override
  ServletContainer.Kind kind() {
    return ServletContainer.Kind.TOMCAT;
  }
}
