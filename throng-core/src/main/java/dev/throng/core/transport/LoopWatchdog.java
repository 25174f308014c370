package dev.throng.core.transport;

import java.util.Arrays;
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
 *
 * <p>A loop is judged on the time it had, not on the machine's lateness: the time its thread spent ready to run but
 * waiting for a CPU ({@link SchedStat}, the kernel's run-queue wait) does not count towards the stall timeout. A loop
 * blocked by a handler (a lock, a sleep, blocking I/O) or spinning in one still stalls after the timeout; a loop of a
 * process that 150 runnable threads on 2 cores leave without a CPU for seconds does not. Without this, a million
 * subscribers held by a load generator on the same 2 cores saw 13 of 53 workers exit as stalled within a minute of the
 * ramp's end, their loops RUNNABLE in write and read calls (2026-12-05, docs/benchmarks.md section 22).
 */
final class LoopWatchdog implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(LoopWatchdog.class);

    private final ServerContext server;
    private final long stallNanos;
    private final long periodNanos;
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean stopped;
    /** Per loop (by index in {@code server.loops()}), this thread's own: the last heartbeat it saw... */
    private long[] seenBeat = new long[0];
    /** ...and the loop thread's run-queue wait when it saw it (-1: unknown). */
    private long[] waitAtBeat = new long[0];

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
            List<ServerLoop> loops = server.loops();
            if (seenBeat.length < loops.size()) {
                seenBeat = Arrays.copyOf(seenBeat, loops.size());
                waitAtBeat = Arrays.copyOf(waitAtBeat, loops.size());
            }
            for (int i = 0; i < loops.size(); i++) {
                ServerLoop loop = loops.get(i);
                long beat = loop.lastBeatNanos();
                long wait = loop.runQueueWaitNanos();
                if (beat != seenBeat[i]) { // it beat since the last look: its run-queue wait starts from here
                    seenBeat[i] = beat;
                    waitAtBeat[i] = wait;
                }
                long silent = now - beat;
                long starved = wait >= 0 && waitAtBeat[i] >= 0 ? wait - waitAtBeat[i] : 0;
                boolean ended = loop.executor.isTerminated() && !stopped;
                if (silent - starved > stallNanos || ended) {
                    stalled(loop, silent, starved, ended);
                    break;
                }
            }
        }
    }

    private void stalled(ServerLoop loop, long silentNanos, long starvedNanos, boolean ended) {
        String reason = ended
                ? "event loop " + loop.name() + " has ended"
                : "event loop " + loop.name() + " has not run for " + TimeUnit.NANOSECONDS.toMillis(silentNanos)
                        + " ms (" + TimeUnit.NANOSECONDS.toMillis(starvedNanos) + " ms of it waiting for a CPU)";
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
