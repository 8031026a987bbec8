package org.playcounter.store;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/** Journals and snapshots written byte by byte for the restore's review, CRCs computed here. */
final class RestoreFiles {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  static RestoreFiles journal() {
    return new RestoreFiles().raw("playcounter-journal 3\n");
  }

  static RestoreFiles snapshot() {
    return new RestoreFiles().raw("playcounter-snapshot 3\n");
  }

  RestoreFiles raw(String text) {
    byte[] b = text.getBytes(StandardCharsets.US_ASCII);
    out.write(b, 0, b.length);
    return this;
  }

  RestoreFiles raw(byte[] b) {
    out.write(b, 0, b.length);
    return this;
  }

  int size() {
    return out.size();
  }

  /** {@code +id n crc} or {@code -id n crc}. */
  RestoreFiles single(String id, long delta) {
    String body = (delta < 0 ? "-" : "+") + id + " " + Math.abs(delta);
    return raw(body + " " + hex(crc(body)) + "\n");
  }

  /** A record: header {@code "begin " + header}, then {@code lines} (each without newline). */
  RestoreFiles record(String header, String... lines) {
    StringBuilder text = new StringBuilder("begin ").append(header).append('\n');
    for (String line : lines) {
      text.append(line).append('\n');
    }
    return raw(text + "end " + hex(crc(text.toString())) + "\n");
  }

  /** A record of the lines in {@code body} (each ending in a newline), {@code count} of them. */
  RestoreFiles record(String header, StringBuilder body) {
    String text = "begin " + header + "\n" + body;
    return raw(text + "end " + hex(crc(text)) + "\n");
  }

  byte[] bytes() {
    return out.toByteArray();
  }

  static long crc(String text) {
    CRC32 crc = new CRC32();
    crc.update(text.getBytes(StandardCharsets.US_ASCII));
    return crc.getValue();
  }

  private static String hex(long value) {
    return String.format("%08x", value);
  }
}
