package io.layerwatch.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/** The formatted messages one class logs while open (log4j2, which backs SLF4J here). */
public final class LogCapture implements AutoCloseable {
    private final List<String> messages = new CopyOnWriteArrayList<>();
    private final String logger;
    private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
    private final AbstractAppender appender;

    private LogCapture(Class<?> type) {
        logger = type.getName();
        appender =
                new AbstractAppender("capture-" + logger, null, null, true, Property.EMPTY_ARRAY) {
                    @Override
                    public void append(LogEvent event) {
                        messages.add(event.getMessage().getFormattedMessage());
                    }
                };
        appender.start();
        Configuration config = context.getConfiguration();
        LoggerConfig own = new LoggerConfig(logger, Level.ALL, false);
        own.addAppender(appender, Level.ALL, null);
        config.addLogger(logger, own);
        context.updateLoggers();
    }

    public static LogCapture of(Class<?> type) {
        return new LogCapture(type);
    }

    public List<String> messages() {
        return List.copyOf(messages);
    }

    @Override
    public void close() {
        context.getConfiguration().removeLogger(logger);
        context.updateLoggers();
        appender.stop();
    }
}
