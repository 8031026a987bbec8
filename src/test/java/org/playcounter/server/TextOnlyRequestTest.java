package org.playcounter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TextOnlyRequestTest {
  @Test
  void protobufIsTakenOutOfAcceptAndTheRestKept() {
    assertEquals("application/openmetrics-text;version=1.0.0;q=0.5,*/*;q=0.1",
        TextOnlyRequest.textOnly("application/vnd.google.protobuf;"
            + "proto=io.prometheus.client.MetricFamily;encoding=delimited,"
            + "application/openmetrics-text;version=1.0.0;q=0.5,*/*;q=0.1"));
    assertEquals("", TextOnlyRequest.textOnly("application/vnd.google.protobuf"));
  }
}
