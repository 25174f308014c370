package dev.throng.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ClassArchive}: when workers get an archive, and what an archive's name depends on. */
class ClassArchiveTest {
    private static final byte[] LIST = "java/lang/Object\n".getBytes(StandardCharsets.US_ASCII);

    @Test
    void leavesClassSharingAloneWhenTheFlagsAlreadyChoose() {
        assertThat(ClassArchive.flags("java", List.of("-Xmx33m", "-Xshare:off"), "throng.jar", ClassArchive.CLASS_LIST))
                .isEmpty();
        assertThat(ClassArchive.flags(
                        "java", List.of("-XX:SharedArchiveFile=/x.jsa"), "throng.jar", ClassArchive.CLASS_LIST))
                .isEmpty();
    }

    @Test
    void namesAnArchiveByItsJvmFlagsClassPathAndClassList(@TempDir Path dir) throws Exception {
        Path jar = Files.write(dir.resolve("throng.jar"), new byte[] {1, 2, 3});
        List<String> flags = List.of("-XX:+UseSerialGC", "-Xmx33m");
        String name = ClassArchive.name("/usr/bin/java", flags, jar.toString(), LIST);

        assertThat(name).matches("throng-worker-[0-9a-f]{16}\\.jsa");
        assertThat(ClassArchive.name("/usr/bin/java", flags, jar.toString(), LIST))
                .isEqualTo(name);
        assertThat(ClassArchive.name("/opt/jdk/bin/java", flags, jar.toString(), LIST))
                .isNotEqualTo(name);
        assertThat(ClassArchive.name("/usr/bin/java", List.of("-XX:+UseSerialGC", "-Xmx64m"), jar.toString(), LIST))
                .isNotEqualTo(name);
        assertThat(ClassArchive.name("/usr/bin/java", flags, jar.toString(), "x\n".getBytes(StandardCharsets.US_ASCII)))
                .isNotEqualTo(name);

        // A rebuilt jar (other time, other size) needs an archive of its own: the JVM rejects a stale one.
        Files.setLastModifiedTime(
                jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() - 60_000));
        String older = ClassArchive.name("/usr/bin/java", flags, jar.toString(), LIST);
        assertThat(older).isNotEqualTo(name);
        FileTime time = Files.getLastModifiedTime(jar);
        Files.write(jar, new byte[] {1, 2, 3, 4});
        Files.setLastModifiedTime(jar, time);
        assertThat(ClassArchive.name("/usr/bin/java", flags, jar.toString(), LIST))
                .isNotEqualTo(older);
    }

    @Test
    void removesOnlyArchivesUnusedSinceTheCutoff(@TempDir Path dir) throws Exception {
        Instant now = Instant.now();
        Path stale = Files.write(dir.resolve("throng-worker-0000000000000001.jsa"), new byte[] {1});
        Path recent = Files.write(dir.resolve("throng-worker-0000000000000002.jsa"), new byte[] {2});
        Path other = Files.write(dir.resolve("someone-else.jsa"), new byte[] {3});
        Files.setLastModifiedTime(
                stale, FileTime.from(now.minus(ClassArchive.UNUSED_FOR).minusSeconds(60)));
        Files.setLastModifiedTime(
                other, FileTime.from(now.minus(ClassArchive.UNUSED_FOR).minusSeconds(60)));

        ClassArchive.removeUnused(dir, now.minus(ClassArchive.UNUSED_FOR));

        assertThat(stale).doesNotExist();
        assertThat(recent).exists();
        assertThat(other).exists();
    }

    @Test
    void shipsTheWorkerClassList() throws Exception {
        try (var in = ClassArchive.class.getResourceAsStream(ClassArchive.CLASS_LIST)) {
            assertThat(in)
                    .as("worker.classlist in the jar (bench/worker-classlist.sh writes it)")
                    .isNotNull();
            String list = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(list.lines()).contains("dev/throng/cli/ServerProcess", "dev/throng/core/transport/EpollSession");
        }
        try (var in = ClassArchive.class.getResourceAsStream(ClassArchive.GATEWAY_CLASS_LIST)) {
            assertThat(in).as("gateway-worker.classlist in the jar").isNotNull();
            String list = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(list.lines()).contains("dev/throng/gateway/Gateway", "dev/throng/redis/RedisBroker");
        }
    }
}
