package dev.throng.cli;

import picocli.CommandLine;

import java.time.Duration;
import java.util.Locale;

/**
 * Parses durations the way people type them: {@code 250ms}, {@code 30s}, {@code 2m}, {@code 1h}, a bare
 * {@code 0} (off), or ISO-8601 ({@code PT30S}). The options of {@code serve} and {@code bench} that take a duration
 * use it.
 */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        try {
            return parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }

    /** Parses {@code value}; throws {@link IllegalArgumentException} naming the accepted forms. */
    static Duration parse(String value) {
        String s = value.trim().toLowerCase(Locale.ROOT);
        try {
            if (s.startsWith("pt")) {
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
            // fall through to the message below
        }
        throw new IllegalArgumentException("not a duration: '" + value + "' (use e.g. 500ms, 30s, 2m, 1h or 0)");
    }

    /** Formats {@code d} compactly, the inverse of {@link #parse} for whole units. */
    static String format(Duration d) {
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
}
