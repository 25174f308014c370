package dev.throng.bench.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time and resident memory of a process, read from {@code /proc}: {@code /proc/PID/stat} fields 14 and 15
 * (utime, stime) and {@code /proc/PID/status} {@code VmRSS}.
 *
 * <p>CPU times in {@code stat} are in clock ticks; Linux reports them in USER_HZ, which is 100 on every
 * architecture the JDK runs on (the kernel converts from its internal HZ), so one tick is 10 ms.
 */
public final class ProcStats {

    /** Nanoseconds per USER_HZ tick. */
    static final long NANOS_PER_TICK = 10_000_000L;

    private ProcStats() {
    }

    /** CPU time (user + system) of process {@code pid} ("self" for this one), in nanoseconds. */
    public static long cpuNanos(String pid) throws IOException {
        return parseCpuNanos(Files.readString(Path.of("/proc", pid, "stat")));
    }

    /** Resident set size of process {@code pid} ("self" for this one), in bytes. */
    public static long rssBytes(String pid) throws IOException {
        return parseRssBytes(Files.readString(Path.of("/proc", pid, "status")));
    }

    /** Parses a {@code stat} line; the command name may contain spaces and parentheses, so fields count from its end. */
    static long parseCpuNanos(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        // f[0] is field 3 (state); utime is field 14, stime field 15.
        long ticks = Long.parseLong(f[14 - 3]) + Long.parseLong(f[15 - 3]);
        return ticks * NANOS_PER_TICK;
    }

    static long parseRssBytes(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                String[] f = line.substring(6).trim().split("\\s+");
                return Long.parseLong(f[0]) * 1024; // the kernel reports kB
            }
        }
        return 0; // a zombie has no VmRSS line
    }

    /** {@link #cpuNanos} of this process, 0 when unreadable (not Linux). */
    public static long selfCpuNanos() {
        try {
            return cpuNanos("self");
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** {@link #rssBytes} of this process, 0 when unreadable (not Linux). */
    public static long selfRssBytes() {
        try {
            return rssBytes("self");
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
