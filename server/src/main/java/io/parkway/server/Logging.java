package io.parkway.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import io.parkway.server.ParkwayConfig.LogLevel;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/** Applies {@code log.level} to the {@code io.parkway} loggers through Logback's API, at start and on reload. */
final class Logging {

    /** The logger whose level {@code log.level} sets; every Parkway logger inherits it. */
    static final String PARKWAY_LOGGER = "io.parkway";

    private Logging() {
    }

    /** Sets the level; does nothing when SLF4J is bound to something other than Logback (such as in a library use). */
    static void apply(LogLevel level) {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (factory instanceof LoggerContext context) {
            context.getLogger(PARKWAY_LOGGER).setLevel(Level.toLevel(level.name()));
        }
    }
}
