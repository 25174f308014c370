package dev.throng.doctor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A {@link SysctlWriter} that writes {@code /proc/sys/<key with dots as slashes>}, as {@code sysctl -w} does. It
 * never creates files: a key the kernel does not have is an error, not a new file.
 */
public final class ProcSysWriter implements SysctlWriter {

    private final Path root;

    public ProcSysWriter(Path root) {
        this.root = root;
    }

    /** The file under {@code root} that holds {@code key}, e.g. {@code proc/sys/net/core/somaxconn}. */
    public Path pathOf(String key) {
        return root.resolve("proc/sys").resolve(key.replace('.', '/'));
    }

    @Override
    public void write(String key, String value) throws IOException {
        Files.writeString(
                pathOf(key),
                value + "\n",
                StandardCharsets.US_ASCII,
                StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
    }
}
