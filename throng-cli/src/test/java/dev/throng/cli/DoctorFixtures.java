package dev.throng.cli;

import dev.throng.core.ServerConfig;
import dev.throng.doctor.Doctor;
import dev.throng.doctor.EpollProbe;
import dev.throng.doctor.Report;
import dev.throng.doctor.SystemReader;
import dev.throng.doctor.Target;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The doctor's fixture trees, each shaped like {@code /}: {@code proc-small} is an untuned 2 GiB box where a million
 * connections fail; {@code proc-tuned} has deploy/99-throng.conf and the systemd drop-in applied. They live with the
 * doctor's own tests (throng-doctor/src/test/resources, described by its {@code Fixtures}); surefire runs in the
 * module directory, so they are read from there as files.
 */
final class DoctorFixtures {

    static final String SMALL = "proc-small";
    static final String TUNED = "proc-tuned";

    /** A probe for a machine where epoll loads. */
    static final EpollProbe EPOLL_LOADS = Optional::empty;

    private DoctorFixtures() {}

    static Path root(String name) {
        Path root = Path.of("..", "throng-doctor", "src", "test", "resources", name);
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException("no fixture " + root.toAbsolutePath());
        }
        return root;
    }

    static SystemReader reader(String name) {
        return SystemReader.rootedAt(root(name));
    }

    /** What the doctor reports for {@code target} on the fixture {@code name}, as {@code throng doctor} runs it. */
    static Report examine(String name, Target target) {
        return new Doctor(
                        reader(name),
                        EPOLL_LOADS,
                        ServerConfig.builder().build().listen().backlog())
                .examine(target);
    }

    /** A writable copy of a fixture tree, for --apply. */
    static Path copy(String name, Path into) {
        Path source = root(name);
        try (Stream<Path> paths = Files.walk(source)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path target = into.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return into;
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
