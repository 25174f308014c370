package dev.throng.cli;

import dev.throng.cli.config.Values;
import picocli.CommandLine;

/** Parses byte sizes as people type them: {@code 65536}, {@code 64k}, {@code 1m}, {@code 16MiB} ({@link Values}). */
final class SizeConverter implements CommandLine.ITypeConverter<Integer> {

    /** {@code bytes} in the largest unit that divides it, the inverse of {@link #convert}: {@code 1m}, {@code 64k}. */
    static String format(long bytes) {
        return Values.formatSize(bytes);
    }

    @Override
    public Integer convert(String value) {
        long bytes = parse(value);
        if (bytes > Integer.MAX_VALUE) {
            throw new CommandLine.TypeConversionException("size out of range: " + value);
        }
        return (int) bytes;
    }

    /** {@code value} in bytes: digits with an optional k, m or g (i and b ignored). */
    static long parse(String value) {
        try {
            return Values.parseSize(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
