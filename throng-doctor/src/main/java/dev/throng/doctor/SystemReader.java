package dev.throng.doctor;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Every read the doctor makes of the machine goes through here, so tests point it at a fixture tree shaped like
 * {@code /} (with {@code proc/sys/...}, {@code proc/self/limits}, {@code etc/systemd/...}).
 *
 * <pre>
 * SystemReader machine = SystemReader.machine();                 // the real /
 * SystemReader fixture = SystemReader.rootedAt(Path.of("proc-small"));
 * machine.read("/proc/sys/fs/nr_open");                         // Optional["1048576\n"]
 * </pre>
 */
public interface SystemReader {

    /** The file's text; empty when it does not exist or cannot be read. {@code path} is absolute, as on the box. */
    Optional<String> read(String path);

    /** Names of the regular files in {@code directory}, sorted; empty when it does not exist. */
    List<String> list(String directory);

    /** Reads the real machine. */
    static SystemReader machine() {
        return rootedAt(Path.of("/"));
    }

    /** Reads the tree under {@code root} as if it were {@code /}. */
    static SystemReader rootedAt(Path root) {
        return new FileSystemReader(root);
    }
}
