package dev.throng.cli.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Settings as a tree of plain objects before they become records: a group is a {@code Map<String, Object>} (in
 * order), a list a {@code List<Object>}, a value its text (a String, or a List of Strings for a list or set of
 * strings), and an absent value {@code null}. Trees are what the configuration file, the environment, flags and
 * worker arguments are read into, merged, and bound ({@link RecordMapping}).
 */
public final class Trees {
    private Trees() {}

    /** The shape at {@code segments} under {@code root}, or null when there is no such setting. */
    public static Shape shapeAt(Shape.Group root, List<Object> segments) {
        Shape shape = root;
        for (Object segment : segments) {
            if (segment instanceof Integer) {
                if (!(shape instanceof Shape.Items items)) {
                    return null;
                }
                shape = items.element();
            } else {
                if (!(shape instanceof Shape.Group group)) {
                    return null;
                }
                shape = group.members().get((String) segment);
                if (shape == null) {
                    return null;
                }
            }
        }
        return shape;
    }

    /** The node at {@code segments}, or null when it (or a group or list on the way) is absent. */
    public static Object get(Map<String, Object> tree, List<Object> segments) {
        Object node = tree;
        for (Object segment : segments) {
            if (segment instanceof Integer i) {
                if (!(node instanceof List<?> list) || i >= list.size()) {
                    return null;
                }
                node = list.get(i);
            } else {
                if (!(node instanceof Map<?, ?> map)) {
                    return null;
                }
                node = map.get(segment);
            }
        }
        return node;
    }

    /**
     * Sets the node at {@code segments} to {@code value}, making the groups on the way; a list index may name an
     * element that exists or the next one (which is added, empty).
     *
     * @throws IllegalArgumentException for an index beyond the next one, or a value where a group or list should be
     */
    @SuppressWarnings("unchecked")
    public static void put(Map<String, Object> tree, List<Object> segments, Object value) {
        Object node = tree;
        for (int s = 0; s < segments.size(); s++) {
            Object segment = segments.get(s);
            boolean last = s == segments.size() - 1;
            Object next = last ? null : segments.get(s + 1);
            if (segment instanceof Integer i) {
                List<Object> list = (List<Object>) node;
                if (i > list.size()) {
                    throw new IllegalArgumentException(SettingPath.text(segments.subList(0, s)) + " has " + list.size()
                            + " item(s), so the next index is " + list.size());
                }
                if (i == list.size()) {
                    list.add(last ? value : container(next));
                } else if (last) {
                    list.set(i, value);
                }
                node = list.get(i);
            } else {
                if (!(node instanceof Map)) {
                    throw new IllegalArgumentException(
                            SettingPath.text(segments.subList(0, s)) + " is a value, not a group");
                }
                Map<String, Object> map = (Map<String, Object>) node;
                if (last) {
                    map.put((String) segment, value);
                } else if (map.get(segment) == null) {
                    map.put((String) segment, container(next));
                }
                node = map.get(segment);
            }
        }
    }

    private static Object container(Object nextSegment) {
        return nextSegment instanceof Integer ? new ArrayList<>() : new LinkedHashMap<String, Object>();
    }

    /** A copy of {@code node} that shares nothing mutable with it. */
    @SuppressWarnings("unchecked")
    public static <T> T copy(T node) {
        if (node instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put((String) k, copy(v)));
            return (T) copy;
        }
        if (node instanceof List<?> list) {
            List<Object> copy = new ArrayList<>();
            list.forEach(v -> copy.add(copy(v)));
            return (T) copy;
        }
        return node;
    }

    /**
     * {@code over} laid onto {@code base} (which changes): groups merge member by member, anything else (a value, a
     * list, null) replaces what {@code base} had, except that null leaves a group as it was (an empty
     * {@code limits:} in a file changes nothing).
     */
    @SuppressWarnings("unchecked")
    public static void merge(Map<String, Object> base, Map<String, Object> over) {
        over.forEach((name, value) -> {
            Object old = base.get(name);
            if (value instanceof Map<?, ?> m && old instanceof Map<?, ?> o) {
                merge((Map<String, Object>) o, (Map<String, Object>) m);
            } else if (!(value == null && old instanceof Map)) {
                base.put(name, copy(value));
            }
        });
    }
}
