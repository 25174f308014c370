package dev.throng.doctor;

import dev.throng.core.ServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The fixture trees under src/test/resources, each shaped like {@code /}: {@code proc-small} is an untuned 2 GiB box
 * where a million connections fail; {@code proc-tuned} has deploy/99-throng.conf and the systemd drop-in applied.
 */
final class Fixtures {

    static final String SMALL = "proc-small";
    static final String TUNED = "proc-tuned";

    /** The listen backlog {@code throng serve} asks for, which the doctor checks somaxconn against. */
    static final long SERVER_BACKLOG = ServerConfig.builder().build().listen().backlog();

    /** A probe for a machine where epoll loads. */
    static final EpollProbe EPOLL_LOADS = Optional::empty;

    private Fixtures() {}

    static Path root(String name) {
        URL url = Fixtures.class.getResource("/" + name);
        if (url == null) {
            throw new IllegalStateException("no fixture " + name);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static SystemReader reader(String name) {
        return SystemReader.rootedAt(root(name));
    }

    /** A doctor reading the tree under {@code root}, on a machine where epoll loads. */
    static Doctor doctor(Path root) {
        return doctor(SystemReader.rootedAt(root));
    }

    static Doctor doctor(SystemReader system) {
        return new Doctor(system, EPOLL_LOADS, SERVER_BACKLOG);
    }

    static Report examine(String name, Target target) {
        return doctor(reader(name)).examine(target);
    }

    /** A writable copy of a fixture tree, for --apply and for variations on a fixture. */
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

    static Target server(long connections) {
        return new Target(connections, Role.SERVER, 1);
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A /proc/self/limits text with the given open-files limits. */
    static String limits(long soft, long hard) {
        return "Limit                     Soft Limit           Hard Limit           Units     \n"
                + "Max stack size            8388608              unlimited            bytes     \n"
                + String.format("Max open files            %-20d %-20d files     %n", soft, hard);
    }
}
