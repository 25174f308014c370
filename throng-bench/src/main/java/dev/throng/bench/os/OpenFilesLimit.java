package dev.throng.bench.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The RLIMIT_NOFILE of a process as {@code /proc/PID/limits} shows it.
 *
 * @param soft the soft limit, {@link Long#MAX_VALUE} when unlimited
 * @param hard the hard limit, {@link Long#MAX_VALUE} when unlimited
 */
public record OpenFilesLimit(long soft, long hard) {

    /** Reads {@code /proc/self/limits}. */
    public static OpenFilesLimit ofSelf() throws IOException {
        return parse(Files.readString(Path.of("/proc/self/limits")));
    }

    /** Parses the text of a {@code limits} file; throws when the "Max open files" line is missing. */
    public static OpenFilesLimit parse(String limits) {
        for (String line : limits.split("\n")) {
            if (line.startsWith("Max open files")) {
                String[] f = line.substring("Max open files".length()).trim().split("\\s+");
                return new OpenFilesLimit(value(f[0]), value(f[1]));
            }
        }
        throw new IllegalArgumentException("no 'Max open files' line in limits");
    }

    private static long value(String s) {
        return s.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(s);
    }

    /**
     * The limit a worker JVM will run under. HotSpot raises its soft limit to the hard limit at start
     * ({@code -XX:+MaxFDLimit}, on by default), so the hard limit is what a worker gets.
     */
    public long forWorker() {
        return Math.max(soft, hard);
    }
}
