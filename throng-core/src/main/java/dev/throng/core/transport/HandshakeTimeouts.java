package dev.throng.core.transport;

import dev.throng.core.internal.ArrivalQueue;
import dev.throng.core.internal.KeepaliveWheel;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The handshakes in progress on one event loop (lean sessions), and the one timer that answers them 408 when the
 * request does not come within the handshake timeout. The timer exists only while handshakes are in progress and
 * fires when the oldest is due, so an idle loop has no periodic wake-up for it. Confined to its loop.
 */
final class HandshakeTimeouts implements Runnable {
    /** The least delay between two sweeps, so a burst of handshakes due at once is answered in one. */
    private static final long MIN_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final ArrivalQueue queue = new ArrivalQueue();
    private final EventExecutor loop;
    private final long timeoutNanos;
    private boolean scheduled;

    HandshakeTimeouts(EventExecutor loop, long timeoutNanos) {
        this.loop = loop;
        this.timeoutNanos = timeoutNanos;
    }

    /** Starts the clock of a session just accepted; it leaves with {@code unlink()} once answered or closed. */
    void add(KeepaliveWheel.Member session) {
        queue.add(session);
        if (!scheduled) {
            scheduled = true;
            loop.schedule(this, timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** The sweep: answers the sessions that are due, then sleeps until the next one is. */
    @Override
    public void run() {
        long next = queue.expire(System.nanoTime());
        if (next < 0) {
            scheduled = false;
        } else {
            loop.schedule(this, Math.max(MIN_DELAY_NANOS, next), TimeUnit.NANOSECONDS);
        }
    }
}
