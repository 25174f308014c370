package dev.throng.cli.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * What one setting's value is, and how it is written as text: the one place where {@code 64k} becomes 65536 and
 * 30 seconds becomes {@code 30s}, for flags, environment variables, the configuration file and worker arguments.
 *
 * @param name what the value is, for messages ("a size", "a duration")
 * @param parse text to the value; throws {@link IllegalArgumentException} saying what was expected
 * @param format the value to text that {@code parse} reads back to an equal value
 * @param type how the value is written in YAML
 * @param elements for a list or set of strings, the kind of one element; {@code null} for a single value
 */
public record Kind(
        String name, Function<String, Object> parse, Function<Object, String> format, Yaml type, Kind elements) {

    /** How a value is written in YAML: a number, a boolean, or a string (quoted where YAML would misread it). */
    public enum Yaml {
        NUMBER,
        BOOLEAN,
        STRING
    }

    public static final Kind STRING = scalar("a string", s -> s, String::valueOf, Yaml.STRING);
    public static final Kind INT = scalar("a whole number", Kind::parseInt, String::valueOf, Yaml.NUMBER);
    public static final Kind LONG = scalar("a whole number", Kind::parseLong, String::valueOf, Yaml.NUMBER);
    public static final Kind INT_SIZE =
            scalar("a size", Kind::parseIntSize, v -> Values.formatSize((Integer) v), Yaml.STRING);
    public static final Kind LONG_SIZE =
            scalar("a size", Values::parseSize, v -> Values.formatSize((Long) v), Yaml.STRING);
    public static final Kind BOOLEAN = scalar("true or false", Values::parseBoolean, String::valueOf, Yaml.BOOLEAN);
    public static final Kind DURATION =
            scalar("a duration", Values::parseDuration, v -> Values.formatDuration((Duration) v), Yaml.STRING);
    public static final Kind URI_KIND = scalar("a URL", Kind::parseUri, String::valueOf, Yaml.STRING);
    public static final Kind PATH = scalar("a file path", Path::of, String::valueOf, Yaml.STRING);
    /** A list of strings, in order. */
    public static final Kind STRINGS = new Kind("a list", null, null, Yaml.STRING, STRING);
    /** A set of strings (duplicates dropped, written in sorted order so the text is stable). */
    public static final Kind STRING_SET = new Kind("a set", null, null, Yaml.STRING, STRING);

    private static Kind scalar(
            String name, Function<String, Object> parse, Function<Object, String> format, Yaml type) {
        return new Kind(name, parse, format, type, null);
    }

    /** The constants of {@code type}, by name in any case; written in lower case. */
    public static <E extends Enum<E>> Kind ofEnum(Class<E> type) {
        List<String> names = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            names.add(constant.name().toLowerCase(Locale.ROOT));
        }
        return scalar(
                String.join(", ", names),
                s -> {
                    for (E constant : type.getEnumConstants()) {
                        if (constant.name().equalsIgnoreCase(s.trim())) {
                            return constant;
                        }
                    }
                    throw new IllegalArgumentException("expected " + String.join(", ", names) + "; got '" + s + "'");
                },
                v -> ((Enum<?>) v).name().toLowerCase(Locale.ROOT),
                Yaml.STRING);
    }

    /**
     * This kind, or {@code auto}, which stands for 0 ("let {@code throng serve} choose"), and is how 0 is written.
     * {@code allowZero}: whether a literal 0 is accepted too (and means auto).
     */
    public Kind orAuto(boolean allowZero) {
        Kind base = this;
        return scalar(
                base.name + " or auto",
                s -> {
                    if (s.trim().equalsIgnoreCase("auto")) {
                        return base.parse.apply("0");
                    }
                    Object v = base.parse.apply(s);
                    if (!allowZero && ((Number) v).longValue() == 0) {
                        throw new IllegalArgumentException(
                                "expected " + base.name + " above 0, or auto; got '" + s + "'");
                    }
                    return v;
                },
                v -> ((Number) v).longValue() == 0 ? "auto" : base.format.apply(v),
                base.type);
    }

    /** Whether values of this kind are collections of strings. */
    public boolean isCollection() {
        return elements != null;
    }

    /** The value of {@code text} (a String, or a List of Strings for a collection). */
    public Object read(Object text) {
        if (!isCollection()) {
            return parse.apply((String) text);
        }
        Collection<String> values = this == STRING_SET ? new LinkedHashSet<>() : new ArrayList<>();
        for (Object element : (List<?>) text) {
            values.add((String) element);
        }
        return this == STRING_SET ? java.util.Set.copyOf(values) : List.copyOf(values);
    }

    /** {@code value} as text: a String, or for a collection a List of Strings ({@link #read}'s input). */
    public Object write(Object value) {
        if (!isCollection()) {
            return format.apply(value);
        }
        List<String> out = new ArrayList<>();
        for (Object element : (Collection<?>) value) {
            out.add((String) element);
        }
        if (this == STRING_SET) {
            out.sort(null);
        }
        return out;
    }

    /** The text {@code text} normalised: parsed and written again ({@code 1048576} becomes {@code 1m}). */
    public Object normalise(Object text) {
        return write(read(text));
    }

    private static int parseInt(String s) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a whole number, got '" + s + "'");
        }
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a whole number, got '" + s + "'");
        }
    }

    private static int parseIntSize(String s) {
        long bytes = Values.parseSize(s);
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("size out of range (at most 2047m): " + s);
        }
        return (int) bytes;
    }

    private static URI parseUri(String s) {
        try {
            return new URI(s.trim());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: '" + s + "'");
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
