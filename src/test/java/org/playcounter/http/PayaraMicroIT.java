package org.playcounter.http;

/** The conformance suite against the built WAR in Payara Micro 6 (Grizzly). */
class PayaraMicroIT extends ContainerConformance {
  PayaraMicroIT() {
    super(ServletContainer.Kind.PAYARA_MICRO);
  }
}
