package org.playcounter.server;

import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.playcounter.store.PlayCountStore;
import org.playcounter.store.StoreOptions;

/**
 * Creates the deployment's settings, store and metrics when the container starts the web
 * application, and closes them when it stops; two deployments in one container each get their
 * own. With a {@code data-dir} the store is rebuilt from its journal, whose writer thread (one per
 * deployment) writes and forces changes, and times each fsync into the metrics.
 */
public final class PlayCounterLifecycle implements ServletContextListener {
  /** The {@code ServletContext} attribute that holds the deployment's {@link Settings}. */
  public static final String SETTINGS_ATTRIBUTE = Settings.class.getName();

  @Override
  public void contextInitialized(ServletContextEvent event) {
    ServletContext context = event.getServletContext();
    Settings settings = Settings.read(context);
    context.log(settings.describe());
    Metrics metrics = new Metrics();
    PlayCountStore store;
    if (settings.dataDir() == null) {
      context.log("playcounter WARNING: data-dir is not set, so counts are kept in memory only"
          + " and are lost on restart, redeploy or crash");
    }
    StoreOptions options = StoreOptions.inMemory(settings.maxSongs())
        .withKeys(settings.keyLimits()).withLog(context::log, metrics::journalFsynced);
    if (settings.dataDir() == null) {
      store = open(options);
    } else {
      long start = System.nanoTime();
      store = open(options.withDataDir(Path.of(settings.dataDir()))
          .withFsync(settings.fsyncAlways(), settings.fsyncIntervalMs())
          .withJournalMaxBytes(settings.journalMaxBytes()));
      context.log("playcounter restored " + store.stats().songs() + " songs, "
          + store.pendingDrains().length + " pending drains and " + store.stats().keysRemembered()
          + " idempotency keys from " + settings.dataDir()
          + " in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms");
    }
    metrics.watch(store, settings);
    context.setAttribute(SETTINGS_ATTRIBUTE, settings);
    context.setAttribute(PlayCountStore.ATTRIBUTE, store);
    context.setAttribute(Metrics.ATTRIBUTE, metrics);
  }

  @Override
  public void contextDestroyed(ServletContextEvent event) {
    ServletContext context = event.getServletContext();
    PlayCountStore store = (PlayCountStore) context.getAttribute(PlayCountStore.ATTRIBUTE);
    if (store != null) {
      store.close();
      context.log("playcounter stopping: " + store.stats().songs() + " songs "
          + (!store.durable() ? "held in memory are discarded"
              : "are in the journal, flushed and closed"));
    }
    context.removeAttribute(Metrics.ATTRIBUTE);
    context.removeAttribute(PlayCountStore.ATTRIBUTE);
    context.removeAttribute(SETTINGS_ATTRIBUTE);
  }

  private static PlayCountStore open(StoreOptions options) {
    try {
      return PlayCountStore.open(options);
    } catch (IOException e) {
      throw new IllegalStateException("playcounter cannot start: " + e.getMessage(), e);
    }
  }
}
