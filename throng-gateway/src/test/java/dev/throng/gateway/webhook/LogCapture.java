package dev.throng.gateway.webhook;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/** What one class logs while this is open; safe to read from the test thread while another thread logs. */
final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {
    private final Logger logger;
    private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();

    private LogCapture(Class<?> type) {
        logger = (Logger) LoggerFactory.getLogger(type);
        start();
        logger.addAppender(this);
    }

    static LogCapture of(Class<?> type) {
        return new LogCapture(type);
    }

    @Override
    protected void append(ILoggingEvent event) {
        events.add(event);
    }

    List<Level> levels() {
        return events.stream().map(ILoggingEvent::getLevel).toList();
    }

    List<String> messages() {
        return events.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Override
    public void close() {
        logger.detachAppender(this);
        stop();
    }
}
