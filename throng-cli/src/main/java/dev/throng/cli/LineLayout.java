package dev.throng.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;

/**
 * One log line: {@code 12:34:56.789 INFO  [w3] Supervisor - message}, then the stack trace of a throwable if there
 * is one. Written out instead of Logback's {@code PatternLayout}, whose pattern parser and converters are ~80
 * classes in every worker process (docs/benchmarks.md, "An idle worker"); this line never changes, so nothing
 * needs parsing.
 */
final class LineLayout extends LayoutBase<ILoggingEvent> {
    private final String tag;
    private final ZoneId zone = ZoneId.systemDefault();

    /** @param tag what goes between the brackets: the worker's index, or "main" */
    LineLayout(String tag) {
        this.tag = tag;
    }

    @Override
    public String doLayout(ILoggingEvent event) {
        StringBuilder line = new StringBuilder(96);
        LocalTime time = LocalTime.ofInstant(Instant.ofEpochMilli(event.getTimeStamp()), zone);
        twoDigits(line, time.getHour()).append(':');
        twoDigits(line, time.getMinute()).append(':');
        twoDigits(line, time.getSecond()).append('.');
        int millis = time.getNano() / 1_000_000;
        line.append((char) ('0' + millis / 100));
        twoDigits(line, millis % 100).append(' ');
        String level = event.getLevel().toString();
        line.append(level).append(" ".repeat(Math.max(0, 5 - level.length())));
        String logger = event.getLoggerName();
        line.append(" [w")
                .append(tag)
                .append("] ")
                .append(logger, logger.lastIndexOf('.') + 1, logger.length())
                .append(" - ")
                .append(event.getFormattedMessage())
                .append(CoreConstants.LINE_SEPARATOR);
        IThrowableProxy thrown = event.getThrowableProxy();
        if (thrown != null) {
            line.append(ThrowableProxyUtil.asString(thrown)).append(CoreConstants.LINE_SEPARATOR);
        }
        return line.toString();
    }

    private static StringBuilder twoDigits(StringBuilder line, int value) {
        return line.append((char) ('0' + value / 10)).append((char) ('0' + value % 10));
    }
}
