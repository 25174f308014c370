package dev.throng.doctor;

import java.util.Optional;

/**
 * A process's RLIMIT_NOFILE, as the "Max open files" line of {@code /proc/<pid>/limits} shows it.
 *
 * @param soft the limit enforced now; a process may raise it up to {@code hard} ({@link Long#MAX_VALUE}: unlimited)
 * @param hard the ceiling; only root (CAP_SYS_RESOURCE) raises it, and never above {@code fs.nr_open}
 */
public record OpenFilesLimit(long soft, long hard) {

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

    private static long value(String field) {
        return UNLIMITED.equals(field) ? Long.MAX_VALUE : Long.parseLong(field);
    }

    /** A limit as the report shows it: the number, or {@code unlimited}. */
    static String show(long limit) {
        return limit == Long.MAX_VALUE ? UNLIMITED : Long.toString(limit);
    }
}
