package dev.throng.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WorkerSizingTest {

    private static final long OPEN_FILES = 20_000;

    @Test
    void aProcessKeeps256DescriptorsOrAQuarterOfASmallerLimitThan1024() {
        assertThat(WorkerSizing.perProcess(20_000)).isEqualTo(19_744);
        assertThat(WorkerSizing.perProcess(1_024)).isEqualTo(768);
        assertThat(WorkerSizing.perProcess(160)).isEqualTo(120);
        assertThat(WorkerSizing.perProcess(Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE - 256);
    }

    @Test
    void descriptorsForIsTheSmallestLimitThatHoldsTheConnections() {
        for (long connections = 1; connections <= 5_000; connections++) {
            long limit = WorkerSizing.descriptorsFor(connections);
            assertThat(WorkerSizing.perProcess(limit))
                    .as("%d connections", connections)
                    .isGreaterThanOrEqualTo(connections);
            if (limit > 1) {
                assertThat(WorkerSizing.perProcess(limit - 1))
                        .as("%d connections", connections)
                        .isLessThan(connections);
            }
        }
        assertThat(WorkerSizing.descriptorsFor(1_000_000)).isEqualTo(1_000_256);
        assertThat(WorkerSizing.descriptorsFor(768)).isEqualTo(1_023);
        assertThat(WorkerSizing.descriptorsFor(769)).isEqualTo(1_025);
    }

    @Test
    void aMillionAtALimitOf20000Takes53WorkersOfUpTo19418Connections() {
        assertThat(WorkerSizing.workersFor(1_000_000, OPEN_FILES)).hasValue(53);
        // 18,868 each on average, plus 4 sqrt(18,868) = 550 for the kernel's uneven spread
        assertThat(WorkerSizing.busiest(1_000_000, 53)).isEqualTo(18_868 + 550);
        assertThat(WorkerSizing.cap(1_000_000, 53, OPEN_FILES)).isEqualTo(18_868 + 550);
        // 52 would be dealt 19,231 + 555, more than the 19,744 a process holds
        assertThat(WorkerSizing.busiest(1_000_000, 52)).isEqualTo(19_231 + 555).isGreaterThan(19_744);
        assertThat(WorkerSizing.cap(1_000_000, 52, OPEN_FILES)).isEqualTo(19_744);
        assertThat(WorkerSizing.descriptorsFor(WorkerSizing.busiest(1_000_000, 53)))
                .isEqualTo(19_674);
    }

    @Test
    void oneWorkerWhenOneProcessHoldsTheTarget() {
        assertThat(WorkerSizing.workersFor(19_744, OPEN_FILES)).hasValue(1);
        assertThat(WorkerSizing.workersFor(19_745, OPEN_FILES)).hasValue(2);
        assertThat(WorkerSizing.workersFor(0, OPEN_FILES)).hasValue(1);
        assertThat(WorkerSizing.workersFor(1_000_000, Long.MAX_VALUE)).hasValue(1);
        assertThat(WorkerSizing.busiest(18_000, 1)).isEqualTo(18_000);
    }

    @Test
    void noNumberOfWorkersHelpsUnderALimitTooSmallForOneConnectionAndItsSpread() {
        // A limit of 6 keeps 5 connections: a worker dealt one connection may be dealt 1 + 4.
        assertThat(WorkerSizing.workersFor(1_000, 6)).hasValue(1_000);
        assertThat(WorkerSizing.workersFor(1_000, 5)).isEmpty();
        assertThat(WorkerSizing.workersFor(1_000, 0)).isEmpty();
        assertThat(WorkerSizing.workersFor(10_000_000_000L, OPEN_FILES).getAsInt())
                .isGreaterThan(506_484);
        assertThat(WorkerSizing.workersFor(Long.MAX_VALUE / 2, 6)).isEmpty();
    }

    @Test
    void aCapIsZeroWithoutATotal() {
        assertThat(WorkerSizing.cap(0, 53, OPEN_FILES)).isZero();
        assertThat(WorkerSizing.cap(9_000, 3, OPEN_FILES)).isEqualTo(3_000 + 220);
        assertThat(WorkerSizing.cap(50_000, 1, 160)).isEqualTo(120);
    }

    /** {@code throng serve}'s rule as it was first written: count up from the fewest at an even split. */
    private static long countingUp(long total, long openFiles) {
        long perProcess = WorkerSizing.perProcess(openFiles);
        if (total <= perProcess) {
            return 1;
        }
        long n = (total + perProcess - 1) / perProcess;
        while (WorkerSizing.busiest(total, n) > perProcess) {
            n++;
        }
        return n;
    }

    @ParameterizedTest
    @CsvSource({
        "1000000,20000",
        "1000000,4096",
        "1000000,1024",
        "200000,20000",
        "19745,20000",
        "2000000,65536",
        "1000,6",
        "123457,777",
        "5000000,100000"
    })
    void bisectionFindsTheCountThatCountingUpFinds(long total, long openFiles) {
        assertThat(WorkerSizing.workersFor(total, openFiles)).hasValue((int) countingUp(total, openFiles));
    }

    @Test
    void bisectionAgreesWithCountingUpForRandomTargetsAndLimits() {
        SplittableRandom random = new SplittableRandom(16);
        for (int i = 0; i < 2_000; i++) {
            long total = random.nextLong(1, 3_000_000);
            long openFiles = random.nextLong(6, 200_000);
            assertThat(WorkerSizing.workersFor(total, openFiles))
                    .as("%d under %d", total, openFiles)
                    .hasValue((int) countingUp(total, openFiles));
        }
    }

    /**
     * The margin against what the kernel does: SO_REUSEPORT picks a worker by a hash of each connection's four-tuple,
     * which spreads connections like independent uniform choices. Twenty millions dealt that way over the 53 workers
     * never fill a worker before the million is reached.
     */
    @Test
    void aMillionDealtAtRandomOver53WorkersFitsEveryWorkersCap() {
        int workers = WorkerSizing.workersFor(1_000_000, OPEN_FILES).getAsInt();
        long cap = WorkerSizing.cap(1_000_000, workers, OPEN_FILES);
        SplittableRandom random = new SplittableRandom(4);
        long fullest = 0;
        for (int run = 0; run < 20; run++) {
            int[] count = new int[workers];
            for (int c = 0; c < 1_000_000; c++) {
                count[random.nextInt(workers)]++;
            }
            for (int n : count) {
                fullest = Math.max(fullest, n);
            }
        }
        assertThat(fullest).isGreaterThan(1_000_000 / workers).isLessThanOrEqualTo(cap);
    }
}
