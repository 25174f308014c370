package dev.throng.bench.run;

import dev.throng.bench.os.ProcStats;
import java.io.IOException;
import java.util.List;

/**
 * Samples the server processes named by {@code --server-pid} (or the broker's, {@code --broker-pid}): summed RSS and
 * CPU time, from {@code /proc}; summed PSS ({@link ProcStats#pssBytes}) when asked, as it costs more to read.
 */
final class ServerSampler {

    /** One sample: summed over the pids; {@code nanoTime} is when it was taken. */
    record Sample(long nanoTime, long rssBytes, long cpuNanos) {}

    private final List<Long> pids;

    /** @throws IllegalArgumentException when a pid does not exist now (fail at start, not at the end) */
    ServerSampler(List<Long> pids) {
        this("--server-pid", pids);
    }

    /**
     * @param option the option that named the pids, for the error
     * @throws IllegalArgumentException when a pid does not exist now (fail at start, not at the end)
     */
    ServerSampler(String option, List<Long> pids) {
        this.pids = List.copyOf(pids);
        for (long pid : pids) {
            try {
                ProcStats.cpuNanos(Long.toString(pid));
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException(option + " " + pid + ": no such process readable in /proc");
            }
        }
    }

    List<Long> pids() {
        return pids;
    }

    /** A sample; a pid that has exited counts as 0. */
    Sample sample() {
        long rss = 0;
        long cpu = 0;
        for (long pid : pids) {
            try {
                rss += ProcStats.rssBytes(Long.toString(pid));
                cpu += ProcStats.cpuNanos(Long.toString(pid));
            } catch (IOException | RuntimeException e) {
                // exited: its share is gone
            }
        }
        return new Sample(System.nanoTime(), rss, cpu);
    }

    /** Summed proportional set size; a pid that has exited counts as 0. */
    long pssBytes() {
        long pss = 0;
        for (long pid : pids) {
            try {
                pss += ProcStats.pssBytes(Long.toString(pid));
            } catch (IOException | RuntimeException e) {
                // exited, or a kernel without smaps_rollup (before 4.14)
            }
        }
        return pss;
    }
}
