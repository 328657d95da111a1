package dev.openplus.support;

import java.util.List;

import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/** The messages one logger writes while the capture is open (at the logger's configured level). */
public final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    public LogCapture(Class<?> loggerOf) {
        logger = (Logger) LoggerFactory.getLogger(loggerOf);
        appender.start();
        logger.addAppender(appender);
    }

    /** The formatted messages so far, with their level: "INFO stopped". */
    public synchronized List<String> lines() {
        synchronized (appender.list) {
            return appender.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
        }
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
    }
}
