package org.playcounter.store.format;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/**
 * Opens the files the journal and snapshot write: {@link FileChannel#open} in use, a faulty one
 * in tests.
 */
@FunctionalInterface
public interface ChannelOpener {
  ChannelOpener FILES = FileChannel::open;

  FileChannel open(Path file, OpenOption... options) throws IOException;
}
