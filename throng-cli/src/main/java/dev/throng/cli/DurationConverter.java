package dev.throng.cli;

import dev.throng.cli.config.Values;
import java.time.Duration;
import picocli.CommandLine;

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
        return Values.parseDuration(value);
    }

    /** Formats {@code d} compactly, the inverse of {@link #parse}. */
    static String format(Duration d) {
        return Values.formatDuration(d);
    }
}
