package org.playcounter.http;

/** Hostile input, limits, token and metrics against the built WAR in Tomcat. */
class TomcatHardeningIT extends HardeningSuite {
  @Override
  ServletContainer.Kind kind() {
    return ServletContainer.Kind.TOMCAT_10_1;
  }
}
