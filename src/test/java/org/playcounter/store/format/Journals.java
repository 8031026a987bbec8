package org.playcounter.store.format;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Generated journal and snapshot entries for the format's properties: each entry encodes itself
 * and says what a decoder must hand over for it, and {@link #encode} writes a list of them the
 * way the journal does, clearing the encoder's array every few calls so records span clears.
 */
final class Journals {
  static final String[] HOSTILE = {"begin", "end", "key", "live", "drain", "plays", "removes",
      "ack", "pending", "snapshot", "playcounter-journal", "playcounter-snapshot", "-", "~", ".",
      "_", "0", "12345678", "9223372036854775807", "end~", "begin.", "a"};
  private static final char[] ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".toCharArray();

  /** A body line; x is 0 for a line of two fields. */
  record Line(String id, long n, long x) {}

  /** A one-song line (kind null) or a record: args before the key, except for KEY. */
  record Entry(Kind kind, String id, long delta, long[] args, long[] key, List<Line> lines) {
    void encode(RecordEncoder e, Runnable between) {
      if (kind == null) {
        e.line(id, delta);
        between.run();
        return;
      }
      e.begin(kind, lines.size());
      between.run();
      if (kind == Kind.KEY) {
        e.key(key[0], (int) key[1], key[2], key[3], key[4]);
      }
      for (long arg : args) {
        e.arg(arg);
        between.run();
      }
      if (key != null && kind != Kind.KEY) {
        e.key(key[0], (int) key[1], key[2], key[3], key[4]);
      }
      for (Line line : lines) {
        if (line.x == 0) {
          e.body(line.id, line.n);
        } else {
          e.body(line.id, line.n, line.x);
        }
        between.run();
      }
      e.end();
      between.run();
    }

    void expect(long offset, List<String> out) {
      if (kind == null) {
        out.add(Events.single(id, delta, offset));
        return;
      }
      boolean keyed = key != null;
      out.add(Events.begin(kind, lines.size(), offset, args.length > 0 ? args[0] : 0,
          args.length > 1 ? args[1] : 0, keyed, keyed ? key[0] : 0, keyed ? (int) key[1] : 0,
          keyed ? key[2] : 0, keyed ? key[3] : 0, keyed ? key[4] : 0));
      for (Line line : lines) {
        out.add(Events.line(line.id, line.n, line.x));
      }
      out.add("end " + kind);
    }
  }

  /** A file encoded: its bytes, where each entry starts and ends, and each one's events. */
  static final class Encoded {
    byte[] bytes;
    final List<Integer> starts = new ArrayList<>();
    final List<Integer> ends = new ArrayList<>();
    final List<List<String>> events = new ArrayList<>();

    /** The events of the first {@code entries} entries. */
    List<String> eventsOf(int entries) {
      List<String> all = new ArrayList<>();
      events.subList(0, entries).forEach(all::addAll);
      return all;
    }
  }

  private Journals() {}

  /** Writes the version line and the entries, clearing the array every {@code clearEvery} calls. */
  static Encoded encode(FileKind file, List<Entry> entries, int clearEvery) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    RecordEncoder e = new RecordEncoder(64 << 10);
    int[] calls = {0};
    Runnable between = () -> {
      if (++calls[0] % clearEvery == 0 || e.full()) {
        out.write(e.bytes(), 0, e.length());
        e.clear();
      }
    };
    Encoded encoded = new Encoded();
    e.version(file);
    between.run();
    for (Entry entry : entries) {
      int start = out.size() + e.length();
      entry.encode(e, between);
      encoded.starts.add(start);
      encoded.ends.add(out.size() + e.length());
      List<String> events = new ArrayList<>();
      entry.expect(start, events);
      encoded.events.add(events);
    }
    out.write(e.bytes(), 0, e.length());
    encoded.bytes = out.toByteArray();
    return encoded;
  }

  static Arbitrary<String> ids() {
    return Arbitraries.frequencyOf(
        Tuple.of(3, Arbitraries.of(HOSTILE)),
        Tuple.of(3, Arbitraries.strings().withChars(ALPHABET).ofMinLength(1).ofMaxLength(20)),
        Tuple.of(1, Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(19)),
        Tuple.of(1, Arbitraries.strings().withChars(ALPHABET).ofLength(128)));
  }

  static Arbitrary<Long> counts() {
    return Arbitraries.frequencyOf(
        Tuple.of(2, Arbitraries.just(1L)),
        Tuple.of(1, Arbitraries.just(1L << 53)),
        Tuple.of(2, Arbitraries.just(Long.MAX_VALUE)),
        Tuple.of(3, Arbitraries.longs().between(1, Long.MAX_VALUE)));
  }

  /** Entries of a journal: one-song lines and the four journal kinds, keyed or not. */
  static Arbitrary<Entry> journalEntries() {
    Arbitrary<Entry> single = Combinators.combine(ids(), counts(), Arbitraries.of(true, false))
        .as((id, n, minus) -> new Entry(null, id, minus ? -n : n, null, null, List.of()));
    return Arbitraries.oneOf(single, single,
        record(Kind.PLAYS, Arbitraries.just(new long[0]), Arbitraries.just(null), lines(0)),
        record(Kind.PLAYS, Arbitraries.just(new long[0]), keys(), lines(1)),
        record(Kind.REMOVES, Arbitraries.just(new long[0]), Arbitraries.just(null), lines(-1)),
        record(Kind.DRAIN, numbers(1, 1), keys().injectNull(0.5), lines(0)),
        record(Kind.ACK, numbers(1, 1), Arbitraries.just(null), Arbitraries.just(List.of())));
  }

  /** Entries of a snapshot, of its four kinds, in no particular order. */
  static Arbitrary<Entry> snapshotEntries() {
    Arbitrary<long[]> bulkKeys = keys().map(k -> {
      k[1] = (k[1] & ~3L) | 1;
      return k;
    });
    Arbitrary<long[]> otherKeys = keys().filter(k -> (k[1] & 3) != 1);
    return Arbitraries.oneOf(
        record(Kind.SNAPSHOT, Combinators.combine(numbers(1, 0), numbers(1, 1))
            .as((g, d) -> new long[] {g[0], d[0]}),
            Arbitraries.just(null), Arbitraries.just(List.of())),
        record(Kind.PENDING, numbers(1, 1), Arbitraries.just(null), lines(0)),
        record(Kind.KEY, Arbitraries.just(new long[] {0}), bulkKeys, lines(0)),
        record(Kind.KEY, numbers(1, 0), otherKeys, Arbitraries.just(List.of())),
        record(Kind.LIVE, Arbitraries.just(new long[0]), Arbitraries.just(null), lines(0)));
  }

  private static Arbitrary<Entry> record(Kind kind, Arbitrary<long[]> args,
      Arbitrary<long[]> key, Arbitrary<List<Line>> lines) {
    return Combinators.combine(args, key, lines)
        .as((a, k, l) -> new Entry(kind, null, 0, a, k, l));
  }

  /** {@code count} numbers of at least {@code min}. */
  private static Arbitrary<long[]> numbers(int count, long min) {
    return Arbitraries.oneOf(Arbitraries.just((Long) min), Arbitraries.just(Long.MAX_VALUE),
        Arbitraries.longs().between(min, Long.MAX_VALUE)).list().ofSize(count)
        .map(list -> list.stream().mapToLong(Long::longValue).toArray());
  }

  /** Key fields: time, kind 0..63, hi, lo, fingerprint. */
  private static Arbitrary<long[]> keys() {
    return Combinators.combine(Arbitraries.longs().between(0, Long.MAX_VALUE),
        Arbitraries.integers().between(0, 63), Arbitraries.longs(), Arbitraries.longs(),
        Arbitraries.longs()).as((t, k, hi, lo, fp) -> new long[] {t, k, hi, lo, fp});
  }

  /** Body lines: x 0 always ({@code third} 0), always at least 1 (1), or either (-1). */
  private static Arbitrary<List<Line>> lines(int third) {
    Arbitrary<Long> xs = third == 0 ? Arbitraries.just(0L)
        : third == 1 ? counts() : Arbitraries.oneOf(Arbitraries.just(0L), counts());
    return Combinators.combine(ids(), counts(), xs).as(Line::new).list().ofMaxSize(12);
  }
}
