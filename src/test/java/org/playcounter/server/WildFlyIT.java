package org.playcounter.server;

/** The conformance suite against the built WAR in a WildFly server provisioned by the build. */
class WildFlyIT extends ConformanceSuite {
  @Override
  ServletContainer.Kind kind() {
    return ServletContainer.Kind.WILDFLY;
  }

  @Override
  boolean containerAnswersProtectedPaths() {
    return true;
  }
}
