package dev.throng.cli.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Records changed setting by setting, found by reflection: for any setting path, a valid value other than the one it
 * has. Lets a test cover every setting of a record, and every setting added later, without naming them.
 */
public final class Variations {
    private Variations() {}

    /** {@code base} with the setting at {@code path} (a leaf, no list indexes) changed to another accepted value. */
    public static <R extends Record> R changed(R base, String path) {
        @SuppressWarnings("unchecked")
        Class<R> type = (Class<R>) base.getClass();
        Map<String, Object> tree = RecordMapping.toTree(base);
        R changed = tryChange(type, tree, path, base);
        if (changed == null) {
            throw new AssertionError("no value other than " + Trees.get(tree, SettingPath.segments(path)) + " passes "
                    + type.getSimpleName() + "'s checks for " + path + ": give Variations a candidate for it");
        }
        return changed;
    }

    /** {@code base} with every setting changed, each to a value that passes together with the changes before it. */
    public static <R extends Record> R everySettingChanged(R base) {
        R current = base;
        for (String path : Shape.leafPaths(Shape.of(base.getClass()))) {
            current = changed(current, path);
        }
        return current;
    }

    private static <R extends Record> R tryChange(Class<R> type, Map<String, Object> tree, String path, R base) {
        List<Object> segments = SettingPath.segments(path);
        Kind kind = ((Shape.Leaf) Trees.shapeAt(Shape.of(type), segments)).kind();
        for (Object candidate : candidates(kind, Trees.get(tree, segments))) {
            Map<String, Object> attempt = Trees.copy(tree);
            Trees.put(attempt, segments, candidate);
            try {
                R made = RecordMapping.fromTree(type, attempt);
                if (!made.equals(base)) {
                    return made;
                }
            } catch (IllegalArgumentException refused) {
                // the next candidate
            }
        }
        return null;
    }

    private static List<Object> candidates(Kind kind, Object text) {
        List<Object> out = new ArrayList<>();
        if (kind.isCollection()) {
            out.add(List.of("chat.v2", "chat.v1")); // not sorted: a list must keep its order
            out.add(List.of("https://b.example", "https://a.example"));
            return out;
        }
        Object value = text == null ? null : kind.read(text);
        if (value instanceof Boolean b) {
            out.add(kind.write(!b));
        } else if (value instanceof Integer i) {
            for (long n : new long[] {i * 2L, i + 1L, i - 1L, i / 2, 1, 7, 200, 2000}) {
                if (n >= Integer.MIN_VALUE && n <= Integer.MAX_VALUE) {
                    out.add(kind.write((int) n));
                }
            }
        } else if (value instanceof Long l) {
            for (long n : new long[] {l * 2, l + 1, l - 1, l / 2, 1, 7, 1 << 20, 123_456_789}) {
                out.add(kind.write(n));
            }
        } else if (value instanceof java.time.Duration d) {
            out.add(kind.write(d.plusSeconds(1)));
            out.add(kind.write(d.plusMillis(1500)));
            out.add(kind.write(java.time.Duration.ofSeconds(1)));
        } else if (value instanceof Enum<?> e) {
            for (Object constant : e.getDeclaringClass().getEnumConstants()) {
                out.add(kind.write(constant));
            }
        } else {
            // Strings (and absent values): forms that most checks accept.
            out.addAll(List.of("127.0.0.2", "/ws path?=x", "other", "https://hooks.example/throng"));
        }
        return out;
    }
}
