package dev.throng.core.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** {@link SchedStat}: a thread's run-queue wait, as the kernel counts it, read from another thread. */
class SchedStatTest {

    @Test
    void aThreadThatMustShareTheCpusWithMoreBusyThreadsThanCoresWaitsOnTheRunQueue() throws Exception {
        assumeTrue(System.getProperty("os.name").startsWith("Linux"), "schedstat is Linux's");
        AtomicBoolean stop = new AtomicBoolean();
        Runnable spin = () -> {
            while (!stop.get()) {
                Thread.onSpinWait();
            }
        };
        CompletableFuture<SchedStat> watched = new CompletableFuture<>();
        List<Thread> threads = new ArrayList<>();
        threads.add(started(() -> {
            watched.complete(SchedStat.ofCurrentThread());
            spin.run();
        }));
        try {
            SchedStat stat = watched.get(10, TimeUnit.SECONDS);
            assumeTrue(stat != null, "the kernel gives no schedstat here");
            long before = stat.runQueueWaitNanos();
            assertThat(before).isGreaterThanOrEqualTo(0);

            // More runnable threads than cores: someone waits for a CPU.
            for (int i = 0; i < 2 * Runtime.getRuntime().availableProcessors() + 2; i++) {
                threads.add(started(spin));
            }
            Thread.sleep(500);
            assertThat(stat.runQueueWaitNanos())
                    .as("run-queue wait of a spinning thread among spinners")
                    .isGreaterThan(before);
        } finally {
            stop.set(true);
            for (Thread t : threads) {
                t.join();
            }
        }
    }

    private static Thread started(Runnable task) {
        Thread t = new Thread(task);
        t.start();
        return t;
    }
}
