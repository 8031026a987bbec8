package org.playcounter.fold;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class FoldTallyTest {
  @Test
  void serverLineSaysWhatItsDrainsCameToAndHowLong() {
    FoldTally server = new FoldTally();
    server.drain();
    server.folded(2, BigInteger.valueOf(5));
    server.drain();
    server.alreadyApplied();
    assertEquals("2 drains, 1 folded now (2 songs, 5 plays), 1 already applied, in 7 ms",
        server.serverLine(7));
  }

  @Test
  void summarySumsEveryServerAndIsOkWhenNoneFailed() {
    FoldTally run = new FoldTally();
    for (int i = 1; i <= 3; i++) {
      run.add(oneDrainFolded(41 * i, BigInteger.valueOf(1000L * i)), true);
    }
    assertEquals("fold summary: status=ok servers=3 failed=0 drains=3 folded=3"
        + " already_applied=0 songs=246 plays=6000 ms=89", run.summary(89));
  }

  @Test
  void summaryIsFailedWhenAServerFailedAndKeepsWhatItFoldedBefore() {
    FoldTally run = new FoldTally();
    run.add(oneDrainFolded(1, BigInteger.ONE), false);
    run.add(new FoldTally(), true);
    assertEquals("fold summary: status=failed servers=2 failed=1 drains=1 folded=1"
        + " already_applied=0 songs=1 plays=1 ms=0", run.summary(0));
  }

  @Test
  void playsPastALongAreSummedExactly() {
    FoldTally run = new FoldTally();
    run.add(oneDrainFolded(2, BigInteger.valueOf(Long.MAX_VALUE).multiply(BigInteger.TWO)), true);
    assertEquals("fold summary: status=ok servers=1 failed=0 drains=1 folded=1"
        + " already_applied=0 songs=2 plays=18446744073709551614 ms=3", run.summary(3));
  }

  @Test
  void serversNeverTriedCountAsFailed() {
    FoldTally run = new FoldTally();
    run.notTried(3);
    assertEquals("fold summary: status=failed servers=3 failed=3 drains=0 folded=0"
        + " already_applied=0 songs=0 plays=0 ms=4", run.summary(4));
  }

  /** A server's tally of one drain, folded with {@code songs} and {@code plays}. */
  private static FoldTally oneDrainFolded(long songs, BigInteger plays) {
    FoldTally server = new FoldTally();
    server.drain();
    server.folded(songs, plays);
    return server;
  }
}
