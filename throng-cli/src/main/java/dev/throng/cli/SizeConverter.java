package dev.throng.cli;

import picocli.CommandLine;

import java.util.Locale;

/** Parses byte sizes as people type them: {@code 65536}, {@code 64k}, {@code 1m}, {@code 16MiB}. */
final class SizeConverter implements CommandLine.ITypeConverter<Integer> {

    /** {@code bytes} in the largest unit that divides it, the inverse of {@link #convert}: {@code 1m}, {@code 64k}. */
    static String format(long bytes) {
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
        try {
            long number = Long.parseLong(s);
            if (number < 0 || number > Long.MAX_VALUE / multiplier) {
                throw new CommandLine.TypeConversionException("size out of range: " + value);
            }
            return number * multiplier;
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("not a size: '" + value + "' (use e.g. 65536, 64k, 1m)");
        }
    }
}
