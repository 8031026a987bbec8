package org.playcounter.server;

import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;

/**
 * Creates the deployment's settings and store when the container starts the web application,
 * and lets them go when it stops; two deployments in one container each get their own.
 */
public final class PlayCounterLifecycle implements ServletContextListener {
  /** The {@code ServletContext} attribute that holds the deployment's {@link Settings}. */
  public static final String SETTINGS_ATTRIBUTE = Settings.class.getName();

  @Override
  public void contextInitialized(ServletContextEvent event) {
    ServletContext context = event.getServletContext();
    Settings settings = Settings.read(context);
    context.log(settings.describe());
    context.setAttribute(SETTINGS_ATTRIBUTE, settings);
    context.setAttribute(PlayCountStore.ATTRIBUTE, new PlayCountStore(settings.maxSongs()));
  }

  @Override
  public void contextDestroyed(ServletContextEvent event) {
    ServletContext context = event.getServletContext();
    PlayCountStore store = (PlayCountStore) context.getAttribute(PlayCountStore.ATTRIBUTE);
    context.log("playcounter stopping: " + (store == null ? 0 : store.songs())
        + " songs held in memory are discarded");
    context.removeAttribute(PlayCountStore.ATTRIBUTE);
    context.removeAttribute(SETTINGS_ATTRIBUTE);
  }
}
