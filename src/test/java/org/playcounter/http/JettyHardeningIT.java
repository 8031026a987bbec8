package org.playcounter.http;

/** Hostile input, limits, token and metrics against the built WAR in Jetty. */
class JettyHardeningIT extends HardeningSuite {
  @Override
  ServletContainer.Kind kind() {
    return ServletContainer.Kind.JETTY_12_1;
  }
}
