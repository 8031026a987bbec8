package org.playcounter.server;

import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.playcounter.store.PlayCountStore;

/**
 * Creates the deployment's settings and store when the container starts the web application,
 * and closes them when it stops; two deployments in one container each get their own. With a
 * {@code data-dir} the store is rebuilt from its journal, and with {@code fsync=interval} a
 * thread of this deployment's own forces the journal to disk on that interval.
 */
public final class PlayCounterLifecycle implements ServletContextListener {
  /** The {@code ServletContext} attribute that holds the deployment's {@link Settings}. */
  public static final String SETTINGS_ATTRIBUTE = Settings.class.getName();

  private ScheduledExecutorService flusher;

  @Override
  public void contextInitialized(ServletContextEvent event) {
    ServletContext context = event.getServletContext();
    Settings settings = Settings.read(context);
    context.log(settings.describe());
    PlayCountStore store;
    if (settings.dataDir() == null) {
      context.log("playcounter WARNING: data-dir is not set, so counts are kept in memory only"
          + " and are lost on restart, redeploy or crash");
      store = new PlayCountStore(settings.maxSongs());
    } else {
      long start = System.nanoTime();
      try {
        store = PlayCountStore.open(Path.of(settings.dataDir()), settings.maxSongs(),
            settings.fsyncAlways(), settings.journalMaxBytes(), context::log);
      } catch (IOException e) {
        throw new IllegalStateException("playcounter cannot start: " + e.getMessage(), e);
      }
      context.log("playcounter restored " + store.songs() + " songs from " + settings.dataDir()
          + " in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms");
      if (!settings.fsyncAlways()) {
        flusher = Executors.newSingleThreadScheduledExecutor(task -> {
          Thread thread = new Thread(task, "playcounter-fsync " + context.getContextPath());
          thread.setDaemon(true);
          return thread;
        });
        flusher.scheduleWithFixedDelay(() -> flushQuietly(store), settings.fsyncIntervalMs(),
            settings.fsyncIntervalMs(), TimeUnit.MILLISECONDS);
      }
    }
    context.setAttribute(SETTINGS_ATTRIBUTE, settings);
    context.setAttribute(PlayCountStore.ATTRIBUTE, store);
  }

  @Override
  public void contextDestroyed(ServletContextEvent event) {
    ServletContext context = event.getServletContext();
    if (flusher != null) {
      flusher.shutdown(); // not shutdownNow: an interrupt would close the journal's channel
      try {
        flusher.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    PlayCountStore store = (PlayCountStore) context.getAttribute(PlayCountStore.ATTRIBUTE);
    if (store != null) {
      store.close();
      context.log("playcounter stopping: " + store.songs() + " songs "
          + (!store.durable() ? "held in memory are discarded"
              : "are in the journal, flushed and closed"));
    }
    context.removeAttribute(PlayCountStore.ATTRIBUTE);
    context.removeAttribute(SETTINGS_ATTRIBUTE);
  }

  private static void flushQuietly(PlayCountStore store) {
    try {
      store.flush();
    } catch (RuntimeException e) {
      // the journal is failed now: every write answers 503 and /health says why
    }
  }
}
