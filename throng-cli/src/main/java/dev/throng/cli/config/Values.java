package dev.throng.cli.config;

import java.time.Duration;
import java.util.Locale;

/**
 * Sizes, durations and switches as people type them, the same in flags, environment variables, the configuration
 * file and worker arguments: {@code 64k}, {@code 1m}, {@code 30s}, {@code 250ms}, {@code true}. Each {@code parse}
 * throws {@link IllegalArgumentException} with a message that names the accepted forms; each {@code format} is its
 * exact inverse. No picocli here: workers use it.
 */
public final class Values {
    private Values() {}

    /** {@code value} in bytes: digits with an optional k, m or g (powers of 1024; a trailing i or b is ignored). */
    public static long parseSize(String value) {
        String s = value.trim().toLowerCase(Locale.ROOT).replace("ib", "").replace("b", "");
        long multiplier = 1;
        if (s.endsWith("k")) {
            multiplier = 1024;
        } else if (s.endsWith("m")) {
            multiplier = 1024 * 1024;
        } else if (s.endsWith("g")) {
            multiplier = 1024L * 1024 * 1024;
        }
        if (multiplier > 1) {
            s = s.substring(0, s.length() - 1);
        }
        long number;
        try {
            number = Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a size: '" + value + "' (use e.g. 65536, 64k, 1m)");
        }
        if (number < 0 || number > Long.MAX_VALUE / multiplier) {
            throw new IllegalArgumentException("size out of range: " + value);
        }
        return number * multiplier;
    }

    /** {@code bytes} in the largest unit that divides it, the inverse of {@link #parseSize}: {@code 1m}, {@code 4k}. */
    public static String formatSize(long bytes) {
        if (bytes != 0 && bytes % (1L << 30) == 0) {
            return (bytes >> 30) + "g";
        }
        if (bytes != 0 && bytes % (1L << 20) == 0) {
            return (bytes >> 20) + "m";
        }
        if (bytes != 0 && bytes % 1024 == 0) {
            return (bytes >> 10) + "k";
        }
        return Long.toString(bytes);
    }

    /** {@code 250ms}, {@code 30s}, {@code 2m}, {@code 1h}, a bare {@code 0} (off), or ISO-8601 ({@code PT30S}). */
    public static Duration parseDuration(String value) {
        String s = value.trim().toLowerCase(Locale.ROOT);
        try {
            if (s.startsWith("pt") || s.startsWith("-pt")) {
                return Duration.parse(s);
            }
            if (s.equals("0")) {
                return Duration.ZERO;
            }
            if (s.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            }
            long n = Long.parseLong(s.substring(0, s.length() - 1));
            switch (s.charAt(s.length() - 1)) {
                case 's':
                    return Duration.ofSeconds(n);
                case 'm':
                    return Duration.ofMinutes(n);
                case 'h':
                    return Duration.ofHours(n);
                default:
                    break;
            }
        } catch (RuntimeException e) {
            // the message below
        }
        throw new IllegalArgumentException("not a duration: '" + value + "' (use e.g. 500ms, 30s, 2m, 1h or 0)");
    }

    /**
     * {@code d} in the largest whole unit ({@code 30s}, {@code 2m}, {@code 250ms}, {@code 0}); ISO-8601 when it is not
     * a whole number of milliseconds, so that {@link #parseDuration} always gives {@code d} back.
     */
    public static String formatDuration(Duration d) {
        if (d.getNano() % 1_000_000 != 0 || Math.abs(d.getSeconds()) >= Long.MAX_VALUE / 1000) {
            return d.toString();
        }
        long ms = d.toMillis();
        if (ms == 0) {
            return "0";
        }
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    /** {@code true} or {@code false}, in any case; nothing else (a typo must not read as either). */
    public static boolean parseBoolean(String value) {
        String s = value.trim();
        if (s.equalsIgnoreCase("true")) {
            return true;
        }
        if (s.equalsIgnoreCase("false")) {
            return false;
        }
        throw new IllegalArgumentException("expected true or false, got '" + value + "'");
    }
}
