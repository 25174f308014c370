package dev.throng.cli.config;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Records to {@link Trees trees} and back, and trees to {@code --path=value} arguments and back, by reflection over
 * record components ({@link Shape}): a record gains a setting by gaining a component, and nothing here changes. The
 * records' own constructors check the values; a refusal becomes a {@link SettingException} naming the setting(s) its
 * message mentions. Uses nothing but {@code java.lang.reflect}: worker processes read their arguments with it, and
 * must not load picocli or Jackson (each costs every worker MiBs of RSS, docs/benchmarks.md section 13).
 *
 * <pre>
 * List&lt;String&gt; args = RecordMapping.toArgs(config);  // --listen.port=8080 --limits.maxFrameSize=1m ...
 * Map&lt;String, Object&gt; tree = RecordMapping.treeFromArgs(Shape.of(ServerConfig.class), args);
 * ServerConfig same = RecordMapping.fromTree(ServerConfig.class, tree);
 * </pre>
 */
public final class RecordMapping {
    private RecordMapping() {}

    // ---- records and trees ------------------------------------------------------------------------------------

    /** {@code record} as a tree: every component, values as their text. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> toTree(Record record) {
        return (Map<String, Object>) toTree(Shape.of(record.getClass()), record);
    }

    /** {@code value} (of {@code shape}) as a tree; components the group has no member for are left out. */
    public static Object toTree(Shape shape, Object value) {
        if (value == null) {
            return null;
        }
        if (shape instanceof Shape.Group group) {
            Map<String, Object> tree = new LinkedHashMap<>();
            for (RecordComponent c : value.getClass().getRecordComponents()) {
                Shape member = group.members().get(c.getName());
                if (member != null) {
                    tree.put(c.getName(), toTree(member, read(c, value)));
                }
            }
            return tree;
        }
        if (shape instanceof Shape.Items items) {
            List<Object> list = new ArrayList<>();
            for (Object element : (List<?>) value) {
                list.add(toTree(items.element(), element));
            }
            return list;
        }
        return ((Shape.Leaf) shape).kind().write(value);
    }

    /** The record of {@code type} that {@code tree} describes; see {@link #bind}. */
    public static <R extends Record> R fromTree(Class<R> type, Map<String, Object> tree) {
        return type.cast(bind(Shape.of(type), tree, ""));
    }

    /**
     * The value of {@code shape} that {@code tree} describes, at {@code path} (for messages). Absent values are null,
     * or empty for lists and sets; an absent primitive is missing.
     *
     * @throws SettingException for a member the shape does not have, text that does not parse, a missing value, or a
     *     value the record refuses
     */
    public static Object bind(Shape shape, Object tree, String path) {
        if (shape instanceof Shape.Group group) {
            return bindGroup(group, tree, path);
        }
        if (shape instanceof Shape.Items items) {
            if (tree == null) {
                return List.of();
            }
            if (!(tree instanceof List<?> list)) {
                throw new SettingException(path, "expected a list");
            }
            List<Object> values = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                values.add(bind(items.element(), list.get(i), path + "[" + i + "]"));
            }
            return List.copyOf(values);
        }
        Kind kind = ((Shape.Leaf) shape).kind();
        if (tree instanceof Map) {
            throw new SettingException(path, "expected " + kind.name() + ", not a group of settings");
        }
        if (kind.isCollection()) {
            List<?> texts = tree == null ? List.of() : tree instanceof List<?> l ? l : List.of(tree);
            for (Object text : texts) {
                if (!(text instanceof String)) {
                    throw new SettingException(
                            path,
                            text == null
                                    ? "a list item is empty"
                                    : "expected a list of values, not of groups or lists");
                }
            }
            return kind.read(texts);
        }
        if (tree instanceof List) {
            throw new SettingException(path, "expected " + kind.name() + ", not a list");
        }
        if (tree == null) {
            return null;
        }
        try {
            return kind.read(tree);
        } catch (IllegalArgumentException e) {
            throw new SettingException(path, e.getMessage());
        }
    }

    private static Object bindGroup(Shape.Group group, Object tree, String path) {
        if (tree == null) {
            return null;
        }
        if (!(tree instanceof Map<?, ?> map)) {
            throw new SettingException(
                    path,
                    "expected a group of settings ("
                            + String.join(", ", group.members().keySet()) + ")");
        }
        for (Object name : map.keySet()) {
            if (!group.members().containsKey(name)) {
                throw new SettingException(
                        SettingPath.child(path, (String) name),
                        "unknown setting"
                                + (path.isEmpty()
                                        ? ""
                                        : "; " + path + " has "
                                                + String.join(
                                                        ", ", group.members().keySet())));
            }
        }
        RecordComponent[] components = group.type().getRecordComponents();
        Object[] args = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            String childPath = SettingPath.child(path, c.getName());
            Object value = bind(group.members().get(c.getName()), map.get(c.getName()), childPath);
            if (value == null && c.getType().isPrimitive()) {
                throw new SettingException(childPath, "missing");
            }
            args[i] = value;
        }
        return construct(group, components, args, path);
    }

    private static Object construct(Shape.Group group, RecordComponent[] components, Object[] args, String path) {
        try {
            Constructor<?> canonical = group.type()
                    .getDeclaredConstructor(Arrays.stream(components)
                            .map(RecordComponent::getType)
                            .toArray(Class<?>[]::new));
            canonical.setAccessible(true);
            return canonical.newInstance(args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof SettingException s) {
                throw s;
            }
            if (e.getCause() instanceof IllegalArgumentException refused) {
                String message = String.valueOf(refused.getMessage());
                throw new SettingException(mentioned(group, message, path), message);
            }
            if (e.getCause() instanceof NullPointerException npe) {
                throw new SettingException(mentioned(group, String.valueOf(npe.getMessage()), path), "missing");
            }
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot make a " + group.type().getName(), e);
        }
    }

    /** The paths of {@code group}'s members that {@code message} names, in the order it names them; else the group. */
    private static List<String> mentioned(Shape.Group group, String message, String path) {
        Map<String, Integer> at = new LinkedHashMap<>();
        for (String name : group.members().keySet()) {
            Matcher m = Pattern.compile("\\b" + Pattern.quote(name) + "\\b").matcher(message);
            if (m.find()) {
                at.put(name, m.start());
            }
        }
        List<String> paths = new ArrayList<>();
        at.entrySet().stream()
                .sorted(Map.Entry.comparingByValue(Comparator.naturalOrder()))
                .forEach(e -> paths.add(SettingPath.child(path, e.getKey())));
        if (paths.isEmpty()) {
            paths.add(path.isEmpty() ? group.type().getSimpleName() : path);
        }
        return paths;
    }

    private static Object read(RecordComponent c, Object record) {
        try {
            var accessor = c.getAccessor();
            accessor.setAccessible(true);
            return accessor.invoke(record);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + c, e);
        }
    }

    // ---- trees and arguments ----------------------------------------------------------------------------------

    /**
     * {@code record} as arguments, {@code --path=value}, one per value: a list or set repeats its path per element
     * (in order; a set sorted), and an absent value is left out.
     */
    public static List<String> toArgs(Record record) {
        List<String> args = new ArrayList<>();
        flatten(toTree(record), "", args);
        return args;
    }

    private static void flatten(Object node, String path, List<String> args) {
        if (node instanceof Map<?, ?> map) {
            map.forEach((name, value) -> flatten(value, SettingPath.child(path, (String) name), args));
        } else if (node instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                Object element = list.get(i);
                if (element instanceof Map) {
                    flatten(element, path + "[" + i + "]", args);
                } else {
                    args.add("--" + path + "=" + element);
                }
            }
        } else if (node != null) {
            args.add("--" + path + "=" + node);
        }
    }

    /**
     * The tree that {@code args} ({@link #toArgs}'s form) describe, checked against {@code shape}: every path must
     * name a setting; a list or set collects its repeated values, any other setting may be given once.
     *
     * @throws SettingException naming the argument that is malformed, unknown or repeated
     */
    public static Map<String, Object> treeFromArgs(Shape.Group shape, List<String> args) {
        Map<String, Object> tree = new LinkedHashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 0) {
                throw new SettingException(arg, "not in --path=value form");
            }
            String path = arg.substring(2, eq);
            String value = arg.substring(eq + 1);
            List<Object> segments;
            try {
                segments = SettingPath.segments(path);
            } catch (IllegalArgumentException e) {
                throw new SettingException(path, e.getMessage());
            }
            if (!(Trees.shapeAt(shape, segments) instanceof Shape.Leaf leaf)) {
                throw new SettingException(path, "unknown setting");
            }
            Object old = Trees.get(tree, segments);
            try {
                if (leaf.kind().isCollection()) {
                    List<Object> values = old == null ? new ArrayList<>() : castList(old);
                    values.add(value);
                    Trees.put(tree, segments, values);
                } else if (old != null) {
                    throw new SettingException(path, "given twice");
                } else {
                    Trees.put(tree, segments, value);
                }
            } catch (SettingException e) {
                throw e;
            } catch (IllegalArgumentException e) {
                throw new SettingException(path, e.getMessage());
            }
        }
        return tree;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> castList(Object list) {
        return (List<Object>) list;
    }

    /** The names of every leaf of {@code type} (for tests and documentation): {@code listen.host}, ... */
    public static Set<String> leafPaths(Class<? extends Record> type) {
        return new java.util.LinkedHashSet<>(Shape.leafPaths(Shape.of(type)));
    }
}
