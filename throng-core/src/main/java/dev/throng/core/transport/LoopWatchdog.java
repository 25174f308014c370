package dev.throng.core.transport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
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
 * ramp's end, their loops RUNNABLE in write and read calls (2026-12-05, docs/benchmarks.md section 22). The wait is
 * read only for a loop that is late (silent for {@code lateNanos}), from the first look that finds it late: a loop
 * that beats on time costs no read, and the wait before that look, at most {@code lateNanos} and a period, counts.
 */
final class LoopWatchdog implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(LoopWatchdog.class);

    private final ServerContext server;
    private final long stallNanos;
    private final long periodNanos;
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private final Thread thread;
    /**
     * Silence after which a loop is late and its run-queue wait is read: twice the heartbeat, which a loop that runs
     * never goes without (a keepalive round of 30,000 connections takes ~30 ms), and at most half the stall timeout,
     * so that most of the timeout is judged net of the wait.
     */
    private final long lateNanos;
    /** Every loop of the server, fixed before the watchdog starts ({@link ServerContext#loops()}). */
    private final Watched[] loops;

    private volatile boolean stopped;

    /** Starts watching the server's loops, which must be known by now; {@code stallNanos} must be positive. */
    LoopWatchdog(ServerContext server, long stallNanos) {
        this.server = server;
        this.stallNanos = stallNanos;
        this.periodNanos =
                Math.max(TimeUnit.MILLISECONDS.toNanos(50), Math.min(ServerLoop.HEARTBEAT_NANOS, stallNanos / 4));
        this.lateNanos = Math.min(2 * ServerLoop.HEARTBEAT_NANOS, stallNanos / 2);
        this.loops = server.loops().stream().map(Watched::new).toArray(Watched[]::new);
        if (loops.length == 0) {
            throw new IllegalStateException("the server's loops are not known yet");
        }
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
            for (Watched watched : loops) {
                long beat = watched.loop.lastBeatNanos();
                long silent = now - beat;
                long starved = watched.starvedNanos(beat, silent, lateNanos);
                boolean ended = watched.loop.executor.isTerminated() && !stopped;
                if (silent - starved > stallNanos || ended) {
                    stalled(watched.loop, silent, starved, ended);
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

    /**
     * One loop as the watchdog sees it, the watchdog thread's own: while the loop is late, the run-queue wait its
     * thread had when the watchdog first found it late after its last heartbeat (the baseline). While the loop beats on
     * time it holds no baseline and its wait is not read.
     *
     * <pre>
     * long starved = watched.starvedNanos(beat, now - beat, lateNanos); // each look: 0 unless late
     * boolean stalled = now - beat - starved &gt; stallNanos;
     * </pre>
     */
    static final class Watched {
        final ServerLoop loop;
        private final LongSupplier runQueueWait;
        /** Whether the baseline is held: the loop was found late after heartbeat {@link #lateBeat}. */
        private boolean late;

        private long lateBeat;
        /** The loop thread's run-queue wait when it was found late (-1: unknown). */
        private long waitWhenLate;

        Watched(ServerLoop loop) {
            this(loop, loop::runQueueWaitNanos);
        }

        /** A loop whose run-queue wait is {@code runQueueWait}'s (tests: {@code loop} may be null). */
        Watched(ServerLoop loop, LongSupplier runQueueWait) {
            this.loop = loop;
            this.runQueueWait = runQueueWait;
        }

        /**
         * How much of the loop's silence since heartbeat {@code beatNanos} its thread spent waiting for a CPU, as far
         * as the watchdog knows: 0 while the silence is at most {@code lateNanos} (the wait is not read, and a baseline
         * of an earlier silence is dropped), 0 at the first look that finds it late after that heartbeat (the wait is
         * read as the baseline), and the wait since the baseline at every look after.
         */
        long starvedNanos(long beatNanos, long silentNanos, long lateNanos) {
            if (silentNanos <= lateNanos) {
                late = false;
                return 0;
            }
            long wait = runQueueWait.getAsLong();
            if (!late || beatNanos != lateBeat) { // late again after a newer heartbeat: a new baseline
                late = true;
                lateBeat = beatNanos;
                waitWhenLate = wait;
                return 0;
            }
            return wait >= 0 && waitWhenLate >= 0 ? wait - waitWhenLate : 0;
        }
    }
}
