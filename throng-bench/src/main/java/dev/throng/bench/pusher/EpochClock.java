package dev.throng.bench.pusher;

import java.time.Instant;

/**
 * Microseconds since the Unix epoch, cheap enough to read for every delivery: the wall clock is read once per process
 * (microsecond precision on Linux) and advanced with {@link System#nanoTime()} from there, so a reading costs one
 * {@code nanoTime} and allocates nothing.
 *
 * <p>The publisher (in the coordinator) stamps events with it and each worker process reads it when an event
 * arrives; both anchor to the same wall clock of the same machine, and on Linux {@code nanoTime} (CLOCK_MONOTONIC) is
 * slewed by NTP as the wall clock is, so the two processes' readings differ by the anchoring error only (well under
 * a millisecond) unless the wall clock is stepped during a run.
 */
public final class EpochClock {

    private static final long ANCHOR_NANOS;
    private static final long ANCHOR_MICROS;

    static {
        // The tightest pair of readings of a few: a descheduling between the two calls would skew every reading.
        long bestGap = Long.MAX_VALUE;
        long nanos = 0;
        long micros = 0;
        for (int i = 0; i < 5; i++) {
            long before = System.nanoTime();
            Instant now = Instant.now();
            long after = System.nanoTime();
            if (after - before < bestGap) {
                bestGap = after - before;
                nanos = before + (after - before) / 2;
                micros = now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
            }
        }
        ANCHOR_NANOS = nanos;
        ANCHOR_MICROS = micros;
    }

    private EpochClock() {}

    /** Now, in microseconds since the epoch. */
    public static long micros() {
        return ANCHOR_MICROS + (System.nanoTime() - ANCHOR_NANOS) / 1000;
    }
}
