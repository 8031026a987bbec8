package org.playcounter.store.format;

import java.nio.charset.StandardCharsets;

/** The two kinds of file the format has, each named by the first word of its version line. */
public enum FileKind {
  JOURNAL("playcounter-journal"),
  SNAPSHOT("playcounter-snapshot");

  /** The format version this code writes and the only one it reads. */
  public static final int VERSION = 3;

  private final String word;
  private final byte[] versionLine;

  FileKind(String word) {
    this.word = word;
    this.versionLine = (word + " " + VERSION + "\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** The version line's first word, {@code "playcounter-journal"} or {@code "...-snapshot"}. */
  public String word() {
    return word;
  }

  /** The whole version line, {@code "playcounter-journal 3\n"}; callers must not change it. */
  byte[] versionLine() {
    return versionLine;
  }
}
