package org.playcounter.http;

/** The conformance suite against the built WAR in Tomcat 11.0 (Servlet 6.1). */
class Tomcat11IT extends ContainerConformance {
  Tomcat11IT() {
    super(ServletContainer.Kind.TOMCAT_11);
  }
}
