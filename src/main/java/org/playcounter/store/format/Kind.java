package org.playcounter.store.format;

import java.nio.charset.StandardCharsets;

/**
 * The kinds of multi-song record, each named by the word after {@code begin}; the first four are
 * written only to journals, the other four only to snapshots.
 */
public enum Kind {
  PLAYS("plays", true),
  REMOVES("removes", true),
  DRAIN("drain", true),
  ACK("ack", true),
  SNAPSHOT("snapshot", false),
  PENDING("pending", false),
  KEY("key", false),
  LIVE("live", false);

  private static final Kind[] ALL = values();

  private final String word;
  private final byte[] ascii;
  private final boolean journal;

  Kind(String word, boolean journal) {
    this.word = word;
    this.ascii = word.getBytes(StandardCharsets.US_ASCII);
    this.journal = journal;
  }

  /** The word that names this kind in a record's header: {@code "plays"}, {@code "drain"} ... */
  public String word() {
    return word;
  }

  /** True when records of this kind belong in files of {@code file}'s kind. */
  boolean belongsIn(FileKind file) {
    return journal == (file == FileKind.JOURNAL);
  }

  void write(byte[] b, int at) {
    System.arraycopy(ascii, 0, b, at, ascii.length);
  }

  int length() {
    return ascii.length;
  }

  /** The kind named by {@code b[from, to)}, or null when no kind has that word. */
  static Kind of(byte[] b, int from, int to) {
    for (Kind kind : ALL) {
      if (Fields.is(b, from, to, kind.ascii)) {
        return kind;
      }
    }
    return null;
  }
}
