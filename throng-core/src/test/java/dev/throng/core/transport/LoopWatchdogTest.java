package dev.throng.core.transport;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * {@link LoopWatchdog.Watched}: how much of a loop's silence the watchdog puts down to the loop's thread waiting for a
 * CPU, and when it reads that wait. The stall itself (a blocked loop turns the server unhealthy) is UnderTrafficIT's
 * and WatchdogIT's.
 */
class LoopWatchdogTest {
    private static final long MS = 1_000_000;
    private static final long LATE = 500 * MS;
    /** A heartbeat, in System.nanoTime() terms. */
    private static final long BEAT = 7_000 * MS;

    /** The loop thread's run-queue wait as the fake kernel says it, and how often it was asked. */
    private long wait;

    private int reads;
    private final LoopWatchdog.Watched watched = new LoopWatchdog.Watched(null, () -> {
        reads++;
        return wait;
    });

    @Test
    void doesNotReadTheWaitOfALoopThatBeatsOnTime() {
        for (long silent = 0; silent <= LATE; silent += 50 * MS) {
            wait += 10 * MS;
            assertThat(watched.starvedNanos(BEAT, silent, LATE)).isZero();
        }
        assertThat(reads).isZero();
    }

    @Test
    void subtractsTheWaitSinceTheLoopWasFirstFoundLate() {
        wait = 3_000 * MS; // waited before: not this silence's
        assertThat(watched.starvedNanos(BEAT, 600 * MS, LATE))
                .as("first found late")
                .isZero();
        wait += 4_000 * MS;
        assertThat(watched.starvedNanos(BEAT, 9_000 * MS, LATE)).isEqualTo(4_000 * MS);
        wait += 1_000 * MS;
        assertThat(watched.starvedNanos(BEAT, 11_000 * MS, LATE)).isEqualTo(5_000 * MS);
        assertThat(reads).isEqualTo(3);
    }

    @Test
    void subtractsNothingForALoopThatIsBlockedOrSpinsOnACpu() {
        wait = 3_000 * MS; // its wait does not grow: it is not on the run queue, or it runs
        assertThat(watched.starvedNanos(BEAT, 600 * MS, LATE)).isZero();
        assertThat(watched.starvedNanos(BEAT, 11_000 * MS, LATE)).isZero();
    }

    @Test
    void dropsTheBaselineWhenTheLoopBeatsAgain() {
        wait = 1_000 * MS;
        watched.starvedNanos(BEAT, 600 * MS, LATE);
        wait += 2_000 * MS;
        assertThat(watched.starvedNanos(BEAT, 3_000 * MS, LATE)).isEqualTo(2_000 * MS);

        long next = BEAT + 3_100 * MS;
        assertThat(watched.starvedNanos(next, 100 * MS, LATE))
                .as("on time again")
                .isZero();
        int readsWhileLate = reads;
        wait += 5_000 * MS; // waited while on time: not the next silence's
        assertThat(watched.starvedNanos(next, 700 * MS, LATE))
                .as("late again: a new baseline")
                .isZero();
        wait += 1_000 * MS;
        assertThat(watched.starvedNanos(next, 2_000 * MS, LATE)).isEqualTo(1_000 * MS);
        assertThat(reads - readsWhileLate).isEqualTo(2);
    }

    @Test
    void takesANewBaselineWhenTheLoopBeatBetweenTwoLooksThatBothFoundItLate() {
        wait = 1_000 * MS;
        watched.starvedNanos(BEAT, 600 * MS, LATE);
        wait += 2_000 * MS;
        long next = BEAT + 2_500 * MS; // beat once, then fell silent again before the next look
        assertThat(watched.starvedNanos(next, 800 * MS, LATE)).isZero();
        wait += 1_000 * MS;
        assertThat(watched.starvedNanos(next, 2_000 * MS, LATE)).isEqualTo(1_000 * MS);
    }

    @Test
    void subtractsNothingWhereTheKernelDoesNotSay() {
        wait = -1;
        watched.starvedNanos(BEAT, 600 * MS, LATE);
        assertThat(watched.starvedNanos(BEAT, 11_000 * MS, LATE)).isZero();

        long next = BEAT + 12_000 * MS; // unreadable at the baseline, readable after: still nothing
        watched.starvedNanos(next, 600 * MS, LATE);
        wait = 4_000 * MS;
        assertThat(watched.starvedNanos(next, 11_000 * MS, LATE)).isZero();
    }
}
