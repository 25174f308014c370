package dev.throng.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The workers' class archive ({@link ClassArchive}): made once by the supervisor, mapped by every worker. */
class ClassArchiveIT {

    @Test
    void workersMapTheArchiveTheSupervisorMade(@TempDir Path cache) throws Exception {
        try (ServeProcess serve =
                ServeProcess.startWithEnvironment(Map.of("THRONG_CACHE_DIR", cache.toString()), "--workers", "2")) {
            await().atMost(Duration.ofSeconds(30)).until(() -> workers(serve).size() == 2);
            List<Path> archives = archives(cache);
            assertThat(archives).hasSize(1);
            for (ProcessHandle worker : workers(serve)) {
                // Mapped, not just named: a JVM that rejected the archive would not map it at all.
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> maps(worker).contains(archives.get(0).toString()));
            }
        }
        // A second supervisor with the same JVM and jar reuses the archive instead of making another.
        try (ServeProcess serve =
                ServeProcess.startWithEnvironment(Map.of("THRONG_CACHE_DIR", cache.toString()), "--workers", "2")) {
            await().atMost(Duration.ofSeconds(30)).until(() -> workers(serve).size() == 2);
            assertThat(archives(cache)).hasSize(1);
        }
    }

    @Test
    void workersStartWithoutAnArchiveWhereNoneCanBeMade(@TempDir Path dir) throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("file"), "x");
        try (ServeProcess serve = ServeProcess.startWithEnvironment(
                Map.of("THRONG_CACHE_DIR", notADirectory.toString()), "--workers", "2")) {
            await().atMost(Duration.ofSeconds(30)).until(() -> workers(serve).size() == 2);
            for (ProcessHandle worker : workers(serve)) {
                assertThat(worker.info().arguments().map(List::of).orElse(List.of()))
                        .noneMatch(a -> a.contains("SharedArchiveFile"));
            }
            assertThat(serve.output()).contains("workers start without their class archive");
        }
    }

    private static List<ProcessHandle> workers(ServeProcess serve) {
        return serve.process.children().filter(ProcessHandle::isAlive).collect(Collectors.toList());
    }

    private static List<Path> archives(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".jsa"))
                    .collect(Collectors.toList());
        }
    }

    private static String maps(ProcessHandle process) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(process.pid()), "maps"));
        } catch (IOException e) {
            return "";
        }
    }
}
