package dev.throng.doctor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** A {@link SystemReader} over files below a root directory ({@code /} on the real machine). */
public final class FileSystemReader implements SystemReader {

    /** Larger than any file the doctor reads (/proc/meminfo is ~1.5 KiB), so a sysctl arrives in one read. */
    private static final int READ_BUFFER_BYTES = 64 * 1024;

    private final Path root;

    public FileSystemReader(Path root) {
        this.root = root;
    }

    /** The file {@code path} (absolute, as on the box) names under this root. */
    public Path resolve(String path) {
        return root.resolve(path.startsWith("/") ? path.substring(1) : path);
    }

    /**
     * Reads with one large buffer. Not {@code Files.readAllBytes}: /proc files report size 0, so it starts with a
     * one-byte read, and integer sysctls (proc_dointvec) answer only a read at offset 0; every later read is EOF.
     * Reading {@code fs.nr_open} that way yields "1".
     */
    @Override
    public Optional<String> read(String path) {
        try (InputStream in = Files.newInputStream(resolve(path))) {
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            byte[] buffer = new byte[READ_BUFFER_BYTES];
            for (int n; (n = in.read(buffer)) != -1; ) {
                text.write(buffer, 0, n);
            }
            return Optional.of(text.toString(StandardCharsets.UTF_8));
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }

    @Override
    public List<String> list(String directory) {
        Path dir = resolve(directory);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile)
                    .map(p -> p.getFileName().toString())
                    .sorted()
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "FileSystemReader[" + root + "]";
    }
}
