package dev.throng.bench.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time and resident memory of a process, read from {@code /proc}: {@code /proc/PID/stat} fields 14 and 15
 * (utime, stime), {@code /proc/PID/status} {@code VmRSS} and {@code /proc/PID/smaps_rollup} {@code Pss}.
 *
 * <p>CPU times in {@code stat} are in clock ticks; Linux reports them in USER_HZ, which is 100 on every
 * architecture the JDK runs on (the kernel converts from its internal HZ), so one tick is 10 ms.
 */
public final class ProcStats {

    /** Nanoseconds per USER_HZ tick. */
    static final long NANOS_PER_TICK = 10_000_000L;

    private ProcStats() {}

    /** CPU time (user + system) of process {@code pid} ("self" for this one), in nanoseconds. */
    public static long cpuNanos(String pid) throws IOException {
        return parseCpuNanos(Files.readString(Path.of("/proc", pid, "stat")));
    }

    /** Resident set size of process {@code pid} ("self" for this one), in bytes. */
    public static long rssBytes(String pid) throws IOException {
        return parseRssBytes(Files.readString(Path.of("/proc", pid, "status")));
    }

    /**
     * Proportional set size of process {@code pid}: its resident pages, each shared page divided by the number of
     * processes that map it. Summed over server workers that share the JVM's libraries and class archive, it is the
     * memory they cost the machine, where summed RSS counts each shared page once per worker. Reading it walks the
     * process's page tables: take it now and then, not every second.
     */
    public static long pssBytes(String pid) throws IOException {
        return parseKilobytesField(Files.readString(Path.of("/proc", pid, "smaps_rollup")), "Pss:");
    }

    /** Parses a {@code stat} line; the command name may contain spaces and parentheses, so fields count from its end. */
    static long parseCpuNanos(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        // f[0] is field 3 (state); utime is field 14, stime field 15.
        long ticks = Long.parseLong(f[14 - 3]) + Long.parseLong(f[15 - 3]);
        return ticks * NANOS_PER_TICK;
    }

    static long parseRssBytes(String status) {
        return parseKilobytesField(status, "VmRSS:"); // a zombie has no VmRSS line: 0
    }

    /** The value of the line starting with {@code name} (the kernel reports kB) in bytes; 0 without that line. */
    static long parseKilobytesField(String text, String name) {
        for (String line : text.split("\n")) {
            if (line.startsWith(name)) {
                String[] f = line.substring(name.length()).trim().split("\\s+");
                return Long.parseLong(f[0]) * 1024;
            }
        }
        return 0;
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
