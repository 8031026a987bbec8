package org.playcounter.http;

/** The conformance suite against the built WAR in WildFly (Galleon web-server layer). */
class WildFlyIT extends ContainerConformance {
  WildFlyIT() {
    super(ServletContainer.Kind.WILDFLY);
  }
}
