package dev.throng.cli;

import dev.throng.doctor.OpenFilesLimit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** How many server processes a target needs, and the JVM flags each gets. */
final class WorkerPlan {
    /** File descriptors a worker keeps for itself (listening socket, epoll, jars, logs, pipes). */
    static final int RESERVED_FDS = 256;
    /**
     * Heap budget per connection for sizing -Xmx: four times the measured live heap per idle connection (~260 B,
     * docs/benchmarks.md), for read buffers, handshakes in flight and garbage between collections.
     */
    static final int HEAP_BYTES_PER_CONNECTION = 1024;
    /** Heap every worker needs whatever its connection count: classes, pools, event loops. */
    static final int BASE_HEAP_MB = 32;
    /** Initial heap: small, so a worker's RSS follows what it uses instead of what it may use. */
    static final int INITIAL_HEAP_MB = 16;

    private WorkerPlan() {
    }

    /**
     * @param option {@code auto} or a number
     * @param maxConnections the total target (0: none)
     * @param openFiles this process's open-files limit
     */
    static int workerCount(String option, int maxConnections, long openFiles) {
        if (!"auto".equalsIgnoreCase(option)) {
            int n = Integer.parseInt(option);
            if (n < 1) {
                throw new IllegalArgumentException("--workers must be at least 1 or 'auto', got " + option);
            }
            return n;
        }
        if (maxConnections <= 0) {
            return 1;
        }
        long perProcess = Math.max(1, openFiles - RESERVED_FDS);
        return (int) Math.max(1, (maxConnections + perProcess - 1) / perProcess);
    }

    /**
     * The JVM flags of a worker holding up to {@code connections} connections (0: unknown, sized from the
     * open-files limit): G1 with a heap sized from the cap, and compact object headers where the JVM has them.
     */
    static java.util.List<String> jvmFlags(int connections, long openFiles, int javaFeatureVersion) {
        // Without a cap, the open-files limit bounds the connections (at most a million: "unlimited" is no size).
        long expected = connections > 0 ? connections : Math.max(1, Math.min(openFiles - RESERVED_FDS, 1_000_000));
        long heapMb = BASE_HEAP_MB + expected * HEAP_BYTES_PER_CONNECTION / (1024 * 1024);
        java.util.List<String> flags = new java.util.ArrayList<>(java.util.List.of(
            "-Xms" + INITIAL_HEAP_MB + "m", "-Xmx" + heapMb + "m",
            "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=10",
            "-Xss512k"));
        if (javaFeatureVersion >= 25) {
            flags.add("-XX:+UseCompactObjectHeaders"); // JDK 25: 8-byte headers shrink every object (JEP 519)
        }
        return flags;
    }

    /**
     * The soft RLIMIT_NOFILE of this process (the JVM raises soft to hard at start), read as {@code throng doctor}
     * reads it; 1024, the common default, where {@code /proc/self/limits} is missing (not Linux).
     */
    static long openFilesLimit() {
        try {
            return OpenFilesLimit.parse(Files.readString(Path.of("/proc/self/limits")))
                .map(OpenFilesLimit::soft).orElse(1024L);
        } catch (IOException e) {
            return 1024;
        }
    }
}
