package dev.throng.core.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** {@link SchedStat}: a thread's run-queue wait, as the kernel counts it, read from another thread. */
class SchedStatTest {

    @Test
    void aThreadThatMustShareTheCpusWithMoreBusyThreadsThanCoresWaitsOnTheRunQueue() throws Exception {
        SchedStat[] watched = new SchedStat[1];
        AtomicBoolean stop = new AtomicBoolean();
        Thread target = new Thread(() -> {
            watched[0] = SchedStat.ofCurrentThread();
            while (!stop.get()) {
                Thread.onSpinWait();
            }
        });
        target.start();
        while (target.isAlive() && watched[0] == null) {
            Thread.sleep(5);
            if (!System.getProperty("os.name").startsWith("Linux")) {
                break;
            }
        }
        assumeTrue(watched[0] != null, "the kernel gives no schedstat here");
        long before = watched[0].runQueueWaitNanos();
        assertThat(before).isGreaterThanOrEqualTo(0);

        List<Thread> spinners = new ArrayList<>(); // more runnable threads than cores: someone waits for a CPU
        for (int i = 0; i < 2 * Runtime.getRuntime().availableProcessors() + 2; i++) {
            Thread t = new Thread(() -> {
                while (!stop.get()) {
                    Thread.onSpinWait();
                }
            });
            t.start();
            spinners.add(t);
        }
        Thread.sleep(500);
        long after = watched[0].runQueueWaitNanos();
        stop.set(true);
        target.join();
        for (Thread t : spinners) {
            t.join();
        }
        assertThat(after)
                .as("run-queue wait of a spinning thread among spinners")
                .isGreaterThan(before);
    }
}
