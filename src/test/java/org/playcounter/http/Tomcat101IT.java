package org.playcounter.http;

/** The conformance suite against the built WAR in Tomcat 10.1. */
class Tomcat101IT extends ContainerConformance {
  Tomcat101IT() {
    super(ServletContainer.Kind.TOMCAT_10_1);
  }
}
