package dev.throng.core.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the unexpected {@link Throwable}s that ended a connection (issue #15: "counted and logged once per cause")
 * and logs each cause the first time it is seen, with its stack trace; later ones are only counted. A cause is the
 * exception's class and the place it was thrown from, so a million connections failing the same way write one log
 * line, not a million. One per server.
 */
public final class FailureLog {
    private static final Logger LOG = LoggerFactory.getLogger("dev.throng.core.WebSocketConnection");
    /** Distinct causes remembered; past it every failure is logged (briefly), so nothing is silently lost. */
    private static final int MAX_CAUSES = 256;

    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final LongAdder count = new LongAdder();

    /** Records that {@code failure} ended the connection described by {@code where}. */
    public void record(Throwable failure, Object where) {
        count.increment();
        String cause = cause(failure);
        if (seen.size() < MAX_CAUSES) {
            if (seen.add(cause)) {
                LOG.warn(
                        "closing {} after an unexpected {}; later failures of this cause are only counted "
                                + "(ServerStats.connectionFailures)",
                        where,
                        failure.toString(),
                        failure);
            }
        } else if (!seen.contains(cause)) {
            LOG.warn("closing {} after an unexpected {}", where, failure.toString());
        }
    }

    /** Connections ended by an unexpected throwable since start. */
    public long count() {
        return count.sum();
    }

    static String cause(Throwable t) {
        StackTraceElement[] trace = t.getStackTrace();
        return trace.length == 0 ? t.getClass().getName() : t.getClass().getName() + "@" + trace[0];
    }
}
