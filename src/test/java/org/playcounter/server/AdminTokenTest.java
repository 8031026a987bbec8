package org.playcounter.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AdminTokenTest {
  @Test
  void unsetTokenPermitsEveryone() {
    AdminToken open = new AdminToken(null);
    assertTrue(open.permits(null));
    assertTrue(open.permits("Bearer anything"));
  }

  @Test
  void setTokenPermitsOnlyTheExactBearerHeader() {
    AdminToken token = new AdminToken("s3cret");
    assertTrue(token.permits("Bearer s3cret"));
    assertTrue(token.permits("bearer s3cret"));
    assertTrue(token.permits("BEARER  s3cret "));
    assertFalse(token.permits("Bearer "));
    assertFalse(token.permits("Bearers3cret"));
    assertFalse(token.permits(null));
    assertFalse(token.permits(""));
    assertFalse(token.permits("s3cret"));
    assertFalse(token.permits("Bearer s3cret2"));
    assertFalse(token.permits("Bearer s3cre"));
    assertFalse(token.permits("Basic s3cret"));
    assertFalse(token.permits("Bearer S3CRET"));
  }
}
