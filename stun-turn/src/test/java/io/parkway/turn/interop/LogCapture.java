package io.parkway.turn.interop;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.LoggerFactory;

/**
 * Records the warnings and errors the server and Netty log while attached: a server that "keeps serving" after hostile
 * input must also not have thrown or complained on the way. Inert (records nothing) if Logback is not the SLF4J
 * backend.
 */
final class LogCapture implements AutoCloseable {
    private final ConcurrentLinkedQueue<ILoggingEvent> events = new ConcurrentLinkedQueue<>();
    private final Logger root;
    private final AppenderBase<ILoggingEvent> appender;

    private LogCapture(Logger root) {
        this.root = root;
        this.appender = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                String name = event.getLoggerName();
                if (event.getLevel().isGreaterOrEqual(Level.WARN)
                        && (name.startsWith("io.parkway.") || name.startsWith("io.netty."))) {
                    events.add(event);
                }
            }
        };
        if (root != null) {
            appender.setContext(root.getLoggerContext());
            appender.setName("interop-capture");
            appender.start();
            root.addAppender(appender);
        }
    }

    static LogCapture attach() {
        Object factory = LoggerFactory.getILoggerFactory();
        return new LogCapture(factory instanceof LoggerContext context
                ? context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) : null);
    }

    /** The WARN and ERROR lines from {@code io.parkway} and {@code io.netty} since the last call, with stack traces. */
    List<String> drain() {
        List<String> lines = new ArrayList<>();
        for (ILoggingEvent e; (e = events.poll()) != null; ) {
            String line = e.getLevel() + " " + e.getLoggerName() + " [" + e.getThreadName() + "] "
                    + e.getFormattedMessage();
            if (e.getThrowableProxy() != null) {
                line += "\n" + ThrowableProxyUtil.asString(e.getThrowableProxy());
            }
            lines.add(line);
        }
        return lines;
    }

    @Override
    public void close() {
        if (root != null) {
            root.detachAppender(appender);
            appender.stop();
        }
    }
}
