package dev.throng.doctor;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes one sysctl, the only thing {@code throng doctor --apply} changes. Resource limits are never written: the
 * doctor cannot raise another process's limits and does not try.
 */
@FunctionalInterface
public interface SysctlWriter {

    /** Sets {@code key} (e.g. {@code fs.file-max}) to {@code value} (e.g. {@code 2097152} or {@code 1024 65535}). */
    void write(String key, String value) throws IOException;

    /** Writes through {@code /proc/sys} under {@code root} ({@code /} on the real machine). */
    static SysctlWriter procSysUnder(Path root) {
        return new ProcSysWriter(root);
    }
}
