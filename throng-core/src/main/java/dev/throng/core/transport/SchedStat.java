package dev.throng.core.transport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One thread's scheduling figures as Linux keeps them ({@code /proc/self/task/TID/schedstat}: time on a CPU, time
 * waiting on a run queue, time slices), readable from any thread of the process. The {@link LoopWatchdog} uses the
 * run-queue wait to tell a loop that is stuck from one that the machine has not given a CPU.
 *
 * <pre>
 * SchedStat stat = SchedStat.ofCurrentThread(); // on the thread to watch; null where the kernel does not say
 * long waited = stat.runQueueWaitNanos();        // from any thread; -1 once unreadable
 * </pre>
 */
final class SchedStat {
    private final Path file;

    private SchedStat(Path file) {
        this.file = file;
    }

    /** The figures of the calling thread, or null when this is not Linux or they cannot be read. */
    static SchedStat ofCurrentThread() {
        try {
            // "/proc/thread-self" links to "PID/task/TID" of whichever thread reads it.
            Path task = Files.readSymbolicLink(Path.of("/proc/thread-self"));
            SchedStat stat =
                    new SchedStat(Path.of("/proc/self/task", task.getFileName().toString(), "schedstat"));
            return stat.runQueueWaitNanos() >= 0 ? stat : null;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return null;
        }
    }

    /** Nanoseconds the thread has spent, in all, ready to run but waiting for a CPU; -1 when unreadable. */
    long runQueueWaitNanos() {
        try {
            String[] fields =
                    Files.readString(file, StandardCharsets.US_ASCII).trim().split(" ");
            return fields.length >= 2 ? Long.parseLong(fields[1]) : -1;
        } catch (IOException | NumberFormatException | SecurityException e) {
            return -1;
        }
    }
}
