package dev.throng.doctor;

import java.util.Objects;

/**
 * One line of the sysctl file the doctor writes: a key, the value it should have and why.
 *
 * @param key     e.g. {@code net.core.somaxconn}
 * @param current what the kernel has now; {@code null} when it could not be read
 * @param value   what the target needs; never lower than {@code current}
 * @param reason  one line, written above the setting as a comment
 */
public record Sysctl(String key, String current, String value, String reason) {

    public Sysctl {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(reason, "reason");
    }

    /** Whether applying this line changes the kernel (whitespace does not count: the kernel prints tabs). */
    public boolean changes() {
        return current == null || !normalize(current).equals(normalize(value));
    }

    /** The file under {@code /proc/sys} that holds it. */
    public String procPath() {
        return "/proc/sys/" + key.replace('.', '/');
    }

    static String normalize(String value) {
        return value.trim().replaceAll("\\s+", " ");
    }
}
