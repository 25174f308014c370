package dev.throng.bench.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The ramp's schedule: attempts due after a given time, with and without a warm-up. */
class RampCurveTest {

    private static final long S = 1_000_000_000L;
    private static final double PER_NANO = 1000 / 1e9; // 1,000 per second

    @Test
    void withoutWarmupTheRateIsFullFromTheStart() {
        assertThat(LoopDriver.attemptsDue(0, PER_NANO, 0)).isZero();
        assertThat(LoopDriver.attemptsDue(S, PER_NANO, 0)).isEqualTo(1000);
        assertThat(LoopDriver.attemptsDue(10 * S, PER_NANO, 0)).isEqualTo(10_000);
    }

    @Test
    void aWarmupClimbsLinearlyThenRunsAtFullRateHalfItsLengthBehind() {
        long warmup = 10 * S;
        // Rate r(t) = 1000 t / 10 during the warm-up: area t^2 * 50.
        assertThat(LoopDriver.attemptsDue(2 * S, PER_NANO, warmup)).isEqualTo(200);
        assertThat(LoopDriver.attemptsDue(5 * S, PER_NANO, warmup)).isEqualTo(1250);
        assertThat(LoopDriver.attemptsDue(10 * S, PER_NANO, warmup)).isEqualTo(5000);
        // After it, full rate: 5 s behind the schedule without warm-up.
        assertThat(LoopDriver.attemptsDue(20 * S, PER_NANO, warmup)).isEqualTo(15_000);
        assertThat(LoopDriver.attemptsDue(-S, PER_NANO, warmup)).isZero();
    }

    @Test
    void theScheduleNeverGoesBackwards() {
        long warmup = 3 * S;
        long last = 0;
        for (long t = 0; t <= 6 * S; t += S / 100) {
            long due = LoopDriver.attemptsDue(t, PER_NANO, warmup);
            assertThat(due).isGreaterThanOrEqualTo(last);
            last = due;
        }
    }
}
