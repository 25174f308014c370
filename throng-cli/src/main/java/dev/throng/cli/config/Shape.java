package dev.throng.cli.config;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The shape of a configuration, read from its records by reflection: a {@link Group} of named members (a record's
 * components), {@link Items} (a list of records), or a {@link Leaf} holding one value of a {@link Kind}. Settings are
 * named by their path from the root, {@code limits.maxFrameSize} or {@code apps[0].webhooks[1].url}.
 *
 * <p>A component's kind follows from its Java type: primitives and their boxes, String, {@link Duration},
 * {@link URI}, {@link Path}, enums, {@code List<String>}, {@code Set<String>}, records and lists of records. An
 * {@code int} or {@code long} is a byte size (and takes {@code 64k}, {@code 1m}) when {@link #isSize its name says so}.
 */
public sealed interface Shape {

    /** Members by name, in declaration order; {@code type} is the record they make, or null for a made-up group. */
    record Group(Class<? extends Record> type, Map<String, Shape> members) implements Shape {
        public Group {
            members = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(members));
        }

        /** This group with {@code member} (at the end, or in its place) shaped as {@code shape}. */
        public Group with(String member, Shape shape) {
            Map<String, Shape> changed = new LinkedHashMap<>(members);
            changed.put(member, shape);
            return new Group(type, changed);
        }

        /** This group without {@code member}. */
        public Group without(String member) {
            Map<String, Shape> changed = new LinkedHashMap<>(members);
            changed.remove(member);
            return new Group(type, changed);
        }

        /** This group with the leaf at {@code path} (dotted, through groups only) replaced by {@code leaf}. */
        public Group withLeaf(String path, Leaf leaf) {
            int dot = path.indexOf('.');
            if (dot < 0) {
                requireMember(path);
                return with(path, leaf);
            }
            String head = path.substring(0, dot);
            return with(head, ((Group) requireMember(head)).withLeaf(path.substring(dot + 1), leaf));
        }

        private Shape requireMember(String name) {
            Shape shape = members.get(name);
            if (shape == null) {
                throw new IllegalArgumentException("no member " + name + " in " + members.keySet());
            }
            return shape;
        }
    }

    /** A list whose elements all have the shape {@code element}. */
    record Items(Shape element) implements Shape {}

    /** One value. */
    record Leaf(Kind kind) implements Shape {}

    /** The shape of {@code type}'s components, recursively. */
    static Group of(Class<? extends Record> type) {
        Map<String, Shape> members = new LinkedHashMap<>();
        for (RecordComponent c : type.getRecordComponents()) {
            members.put(c.getName(), of(c.getGenericType(), c.getName(), type));
        }
        return new Group(type, members);
    }

    @SuppressWarnings("unchecked")
    private static Shape of(Type type, String name, Class<?> owner) {
        if (type instanceof Class<?> c) {
            if (c.isRecord()) {
                return of((Class<? extends Record>) c);
            }
            if (c.isEnum()) {
                return new Leaf(Kind.ofEnum(c.asSubclass(Enum.class)));
            }
            Kind kind = scalar(c, name);
            if (kind != null) {
                return new Leaf(kind);
            }
        } else if (type instanceof ParameterizedType p && p.getActualTypeArguments().length == 1) {
            Type raw = p.getRawType();
            Type element = p.getActualTypeArguments()[0];
            if (element == String.class && raw == List.class) {
                return new Leaf(Kind.STRINGS);
            }
            if (element == String.class && raw == Set.class) {
                return new Leaf(Kind.STRING_SET);
            }
            if (raw == List.class && element instanceof Class<?> e && e.isRecord()) {
                return new Items(of((Class<? extends Record>) e));
            }
        }
        throw new IllegalStateException("cannot map " + owner.getSimpleName() + "." + name + " of type " + type
                + " to settings: teach Shape its kind");
    }

    private static Kind scalar(Class<?> c, String name) {
        if (c == int.class || c == Integer.class) {
            return isSize(name) ? Kind.INT_SIZE : Kind.INT;
        }
        if (c == long.class || c == Long.class) {
            return isSize(name) ? Kind.LONG_SIZE : Kind.LONG;
        }
        if (c == boolean.class || c == Boolean.class) {
            return Kind.BOOLEAN;
        }
        if (c == String.class) {
            return Kind.STRING;
        }
        if (c == Duration.class) {
            return Kind.DURATION;
        }
        if (c == URI.class) {
            return Kind.URI_KIND;
        }
        if (c == Path.class) {
            return Kind.PATH;
        }
        return null;
    }

    /**
     * Whether a whole-number setting named {@code name} counts bytes, and so takes {@code 64k} or {@code 1m}: a name
     * that ends in {@code Bytes}, {@code max…Size}, {@code memoryBudget} and {@code writeBufferHighWaterMark}.
     * ({@code webhookQueueSize} counts events, not bytes.)
     */
    static boolean isSize(String name) {
        return name.endsWith("Bytes")
                || (name.startsWith("max") && name.endsWith("Size"))
                || name.equals("memoryBudget")
                || name.equals("writeBufferHighWaterMark");
    }

    /** Every leaf's path under {@code group}, in order; list elements are written {@code name[]}. */
    static List<String> leafPaths(Group group) {
        List<String> paths = new ArrayList<>();
        collect(group, "", paths);
        return paths;
    }

    private static void collect(Shape shape, String path, List<String> paths) {
        if (shape instanceof Group g) {
            g.members().forEach((name, member) -> collect(member, path.isEmpty() ? name : path + "." + name, paths));
        } else if (shape instanceof Items items) {
            collect(items.element(), path + "[]", paths);
        } else {
            paths.add(path);
        }
    }
}
