package dev.throng.doctor;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code throng doctor --apply}: writes the report's sysctls that differ from the kernel's, and nothing else (no
 * rlimits, no files under /etc). Each write is independent; one refused write does not stop the others.
 */
public final class SysctlApplier {

    /**
     * One attempted write.
     *
     * @param key   the sysctl
     * @param from  its value before (null when it could not be read)
     * @param to    the value written
     * @param error why the kernel refused it; null when it was written
     */
    public record Change(String key, String from, String to, String error) {

        public boolean applied() {
            return error == null;
        }
    }

    private SysctlApplier() {}

    /** Writes every sysctl of {@code report} that {@link Sysctl#changes() changes}; returns what happened. */
    public static List<Change> apply(Report report, SysctlWriter writer) {
        List<Change> changes = new ArrayList<>();
        for (Sysctl sysctl : report.sysctls()) {
            if (!sysctl.changes()) {
                continue;
            }
            String value = Sysctl.normalize(sysctl.value());
            String from = sysctl.current() == null ? null : Sysctl.normalize(sysctl.current());
            try {
                writer.write(sysctl.key(), value);
                changes.add(new Change(sysctl.key(), from, value, null));
            } catch (IOException | SecurityException e) {
                String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                changes.add(new Change(sysctl.key(), from, value, why));
            }
        }
        return changes;
    }
}
