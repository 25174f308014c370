package dev.throng.doctor;

import java.util.Optional;

/**
 * A process's RLIMIT_NOFILE, as the "Max open files" line of {@code /proc/<pid>/limits} shows it. The one reader of
 * it: {@code throng doctor} checks it, {@code throng serve} sizes its workers from it, and the bench plans its
 * worker processes from it.
 *
 * <pre>
 * long limit = OpenFilesLimit.ofThisProcess().soft();   // what binds this JVM now
 * </pre>
 *
 * @param soft the limit enforced now; a process may raise it up to {@code hard} ({@link Long#MAX_VALUE}: unlimited)
 * @param hard the ceiling; only root (CAP_SYS_RESOURCE) raises it, and never above {@code fs.nr_open}
 */
public record OpenFilesLimit(long soft, long hard) {

    /** Where a process reads its own limits. */
    public static final String SELF = "/proc/self/limits";

    /**
     * What a process is taken to have where {@link #SELF} cannot be read (not Linux): 1,024 soft and hard, the
     * common default, so a plan made there is small rather than wrong by a factor of a thousand.
     */
    public static final OpenFilesLimit ASSUMED = new OpenFilesLimit(1024, 1024);

    /** How {@code /proc/self/limits} spells RLIM_INFINITY. */
    private static final String UNLIMITED = "unlimited";

    /**
     * Finds the "Max open files" line in the text of {@code /proc/<pid>/limits}; empty when it is missing or garbled.
     *
     * <pre>
     * Max open files            20000                20000                files
     * </pre>
     */
    public static Optional<OpenFilesLimit> parse(String procLimits) {
        for (String line : procLimits.split("\n")) {
            if (!line.startsWith("Max open files")) {
                continue;
            }
            String[] fields = line.substring("Max open files".length()).trim().split("\\s+");
            if (fields.length < 2) {
                return Optional.empty();
            }
            try {
                return Optional.of(new OpenFilesLimit(value(fields[0]), value(fields[1])));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** The limits of the process {@code system} belongs to ({@link #SELF}); empty when unreadable or garbled. */
    public static Optional<OpenFilesLimit> read(SystemReader system) {
        return system.read(SELF).flatMap(OpenFilesLimit::parse);
    }

    /**
     * This process's limits, or {@link #ASSUMED} where they cannot be read. In a JVM soft equals hard: HotSpot raises
     * its soft limit to the hard one at start ({@code -XX:+MaxFDLimit}, on by default on Linux).
     */
    public static OpenFilesLimit ofThisProcess() {
        return read(SystemReader.machine()).orElse(ASSUMED);
    }

    private static long value(String field) {
        return UNLIMITED.equals(field) ? Long.MAX_VALUE : Long.parseLong(field);
    }

    /** A limit as the report shows it: the number, or {@code unlimited}. */
    static String show(long limit) {
        return limit == Long.MAX_VALUE ? UNLIMITED : Long.toString(limit);
    }
}
