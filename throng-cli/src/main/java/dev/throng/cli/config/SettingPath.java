package dev.throng.cli.config;

import java.util.ArrayList;
import java.util.List;

/**
 * A setting's path as text ({@code apps[0].webhooks[1].url}) and as segments: member names (String) and list indexes
 * (Integer).
 */
public final class SettingPath {
    private SettingPath() {}

    /** {@code apps[0].key} from {@code ["apps", 0, "key"]}. */
    public static String text(List<Object> segments) {
        StringBuilder s = new StringBuilder();
        for (Object segment : segments) {
            if (segment instanceof Integer i) {
                s.append('[').append(i).append(']');
            } else {
                s.append(s.length() == 0 ? "" : ".").append(segment);
            }
        }
        return s.toString();
    }

    /** {@code ["apps", 0, "key"]} from {@code apps[0].key}; {@link IllegalArgumentException} for a malformed path. */
    public static List<Object> segments(String text) {
        List<Object> segments = new ArrayList<>();
        for (String part : text.split("\\.", -1)) {
            int bracket = part.indexOf('[');
            String name = bracket < 0 ? part : part.substring(0, bracket);
            if (name.isEmpty()) {
                throw new IllegalArgumentException("not a setting's path: '" + text + "'");
            }
            segments.add(name);
            while (bracket >= 0) {
                int close = part.indexOf(']', bracket);
                if (close < 0) {
                    throw new IllegalArgumentException("not a setting's path: '" + text + "'");
                }
                try {
                    segments.add(Integer.parseInt(part.substring(bracket + 1, close)));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("not a setting's path: '" + text + "'");
                }
                bracket = close + 1 < part.length() ? close + 1 : -1;
                if (bracket >= 0 && part.charAt(bracket) != '[') {
                    throw new IllegalArgumentException("not a setting's path: '" + text + "'");
                }
            }
        }
        return segments;
    }

    /** {@code parent.name}, or {@code name} at the root. */
    public static String child(String parent, String name) {
        return parent.isEmpty() ? name : parent + "." + name;
    }
}
