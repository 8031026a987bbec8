package org.playcounter.store.table;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.playcounter.store.table.TableReplay.Problem;

/**
 * One set of recovery's held-back changes for {@link ReplayBatch}: in the order they came, and
 * once sorted, grouped by stripe; applied a range of stripes at a time, each stripe under its lock.
 */
final class ReplaySet {
  /** Changes held. */
  int size;
  private int[] hashes = new int[1024];
  private int[] idAt = new int[1024];
  private long[] deltas = new long[1024];
  private long[] drains = new long[1024];
  private long[] offsets = new long[1024];
  private byte[] ids = new byte[16 * 1024];
  private int idsUsed;
  private int[] order = new int[0];
  /** Where each stripe's changes start in {@link #order}, and where the last one's end. */
  private final int[] firsts = new int[SongTable.STRIPES + 1];

  void add(byte[] b, int from, int length, int hash, long delta, long drain, long offset) {
    if (size == hashes.length) {
      int grown = size * 2;
      hashes = Arrays.copyOf(hashes, grown);
      idAt = Arrays.copyOf(idAt, grown);
      deltas = Arrays.copyOf(deltas, grown);
      drains = Arrays.copyOf(drains, grown);
      offsets = Arrays.copyOf(offsets, grown);
    }
    if (idsUsed + length > ids.length) {
      ids = Arrays.copyOf(ids, Math.max(ids.length * 2, idsUsed + length));
    }
    System.arraycopy(b, from, ids, idsUsed, length);
    hashes[size] = hash;
    idAt[size] = idsUsed;
    deltas[size] = delta;
    drains[size] = drain;
    offsets[size] = offset;
    idsUsed += length;
    size++;
  }

  void clear() {
    size = 0;
    idsUsed = 0;
  }

  /** Fills {@link #order} with the changes grouped by stripe, in order within each. */
  void sortByStripe() {
    Arrays.fill(firsts, 0);
    for (int i = 0; i < size; i++) {
      firsts[SongHash.stripe(hashes[i]) + 1]++;
    }
    for (int s = 0; s < SongTable.STRIPES; s++) {
      firsts[s + 1] += firsts[s];
    }
    if (order.length < size) {
      order = new int[Math.max(size, ReplayBatch.CAPACITY)];
    }
    int[] next = Arrays.copyOf(firsts, SongTable.STRIPES);
    for (int i = 0; i < size; i++) {
      order[next[SongHash.stripe(hashes[i])]++] = i;
    }
  }

  /** Stripe bounds of {@code parts} ranges holding about as many changes each. */
  int[] split(int parts) {
    int[] bounds = new int[parts + 1];
    bounds[parts] = SongTable.STRIPES;
    int s = 0;
    for (int p = 1; p < parts; p++) {
      long target = (long) size * p / parts;
      while (s < SongTable.STRIPES && firsts[s] < target) {
        s++;
      }
      bounds[p] = Math.max(s, bounds[p - 1]);
    }
    return bounds;
  }

  /** Applies the changes of stripes [from, to); the problem with the lowest offset, or null. */
  Problem apply(Stripe[] stripes, int from, int to) {
    Problem problem = null;
    for (int s = from; s < to; s++) {
      if (firsts[s] == firsts[s + 1]) {
        continue;
      }
      Stripe stripe = stripes[s];
      stripe.lock();
      try {
        for (int k = firsts[s]; k < firsts[s + 1]; k++) {
          Problem found = applyOne(stripe, order[k]);
          if (found != null) { // the stripe's later changes come later in the file
            problem = ReplayBatch.first(problem, found);
            break;
          }
        }
      } finally {
        stripe.unlock();
      }
    }
    return problem;
  }

  private Problem applyOne(Stripe stripe, int i) {
    int length = (i + 1 < size ? idAt[i + 1] : idsUsed) - idAt[i];
    CountTable target = stripe.table;
    if (drains[i] != 0) {
      target = stripe.pending(drains[i]);
      if (target == null) {
        target = new CountTable();
        stripe.setPending(drains[i], target);
      }
    }
    long total;
    try {
      total = target.replay(ids, idAt[i], length, hashes[i], deltas[i]);
    } catch (ArithmeticException e) {
      return problem(i, length, true);
    }
    return total < 0 ? problem(i, length, false) : null;
  }

  private Problem problem(int i, int length, boolean overflow) {
    return new Problem(offsets[i], new String(ids, idAt[i], length, StandardCharsets.US_ASCII),
        drains[i], overflow);
  }
}
