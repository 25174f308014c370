package dev.throng.core.transport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches that every event loop of a server still runs (issue #15): each loop beats every
 * {@link ServerLoop#HEARTBEAT_NANOS}; a loop that has not beaten for the stall timeout is dead, deadlocked or blocked
 * by a handler, and nothing on it is served any more. The server then turns unhealthy for good: {@code /healthz}
 * answers 503, the stalled thread's stack is logged, and the listeners are told once ({@code throng serve} exits
 * non-zero so that its supervisor or systemd restarts it).
 *
 * <p>One daemon thread per server. A pause of the whole JVM (a long collection, the machine suspended) stops the
 * watchdog too: a stall counts only when this thread itself ran on time, so such a pause is not taken for a stall.
 */
final class LoopWatchdog implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(LoopWatchdog.class);

    private final ServerContext server;
    private final long stallNanos;
    private final long periodNanos;
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean stopped;

    /** Starts watching; {@code stallNanos} must be positive. */
    LoopWatchdog(ServerContext server, long stallNanos) {
        this.server = server;
        this.stallNanos = stallNanos;
        this.periodNanos =
                Math.max(TimeUnit.MILLISECONDS.toNanos(50), Math.min(ServerLoop.HEARTBEAT_NANOS, stallNanos / 4));
        this.thread = new Thread(this, "throng-watchdog");
        thread.setDaemon(true);
        thread.start();
    }

    void onUnhealthy(Consumer<String> listener) {
        listeners.add(listener);
    }

    void stop() {
        stopped = true;
        thread.interrupt();
    }

    @Override
    public void run() {
        long last = System.nanoTime();
        while (!stopped) {
            try {
                TimeUnit.NANOSECONDS.sleep(periodNanos);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            boolean onTime = now - last < periodNanos + stallNanos / 2;
            last = now;
            if (!onTime || !server.healthy()) {
                continue; // the JVM itself was paused, or the verdict is in already
            }
            for (ServerLoop loop : server.loops()) {
                long silent = now - loop.lastBeatNanos();
                boolean ended = loop.executor.isTerminated() && !stopped;
                if (silent > stallNanos || ended) {
                    stalled(loop, silent, ended);
                    break;
                }
            }
        }
    }

    private void stalled(ServerLoop loop, long silentNanos, boolean ended) {
        String reason = ended
                ? "event loop " + loop.name() + " has ended"
                : "event loop " + loop.name() + " has not run for " + TimeUnit.NANOSECONDS.toMillis(silentNanos)
                        + " ms";
        if (!server.markUnhealthy(reason)) {
            return;
        }
        Thread loopThread = loop.thread();
        StringBuilder stack = new StringBuilder();
        if (loopThread != null) {
            for (StackTraceElement frame : loopThread.getStackTrace()) {
                stack.append("\n\tat ").append(frame);
            }
        }
        LOG.error(
                "unhealthy: {}; /healthz answers 503 from now on. Its thread ({}):{}",
                reason,
                loopThread == null ? "not started" : loopThread.getState(),
                stack);
        for (Consumer<String> listener : listeners) {
            try {
                listener.accept(reason);
            } catch (RuntimeException e) {
                LOG.warn("an unhealthy listener threw", e);
            }
        }
    }
}
