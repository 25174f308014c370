package dev.throng.cli;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A class-data sharing archive (CDS, {@code -Xshare:dump}) of the classes a worker loads, in place of the JDK's
 * default archive: the worker maps Netty's and Throng's classes from one file that every worker on the machine
 * shares, instead of parsing them into metaspace of its own. Measured on JDK 17 (docs/benchmarks.md, section 16):
 * a worker is 2.4 MiB smaller in RSS and 3.7 MiB smaller in private memory; on JDK 25, 2.5 MiB less private memory
 * and the same RSS.
 *
 * <p>The classes come from {@code worker.classlist} in this package, written by a training run
 * ({@code bench/worker-classlist.sh}: a worker with {@code -XX:DumpLoadedClassList} that upgrades connections,
 * answers pings and echoes messages). An archive belongs to one JVM build, one class path (the jar's path, size and
 * time) and the flags that shape objects, so it is made on the machine, by the JVM that runs the workers, the first
 * time a supervisor starts with that combination (about a second), and kept in {@link #directory()}. Whatever goes
 * wrong costs only the sharing: the workers then start with the JDK's own archive, and the log says why.
 *
 * <pre>
 * List&lt;String&gt; flags = ClassArchive.flags(java, jvmFlags, classPath, ClassArchive.CLASS_LIST); // [] or
 *                                                                             // ["-XX:SharedArchiveFile=…"]
 * </pre>
 */
final class ClassArchive {
    private static final Logger LOG = LoggerFactory.getLogger(ClassArchive.class);
    static final String CLASS_LIST = "worker.classlist";
    /**
     * The classes of a gateway's worker (a cluster node): the gateway's, Jackson's, Micrometer's, Lettuce's, Reactor's
     * besides an echo worker's. A list of its own, because an echo worker's archive made from it is 7.5 MiB larger in
     * RSS (the JDK classes only a gateway loads), while a gateway worker without them keeps ~22 MiB of class metadata
     * of its own (docs/benchmarks.md, section 22).
     */
    static final String GATEWAY_CLASS_LIST = "gateway-worker.classlist";
    /** A dump takes about a second here; past this something is wrong, and the workers start without it. */
    private static final long DUMP_TIMEOUT_SECONDS = 60;
    /**
     * Archives no supervisor started with for this long are deleted when a new one is made (each new JVM or jar
     * makes one, ~16 MB). A worker that starts after its archive was deleted runs without it: a missing archive
     * costs the sharing, not the start.
     */
    static final Duration UNUSED_FOR = Duration.ofDays(7);

    private static final String PREFIX = "throng-worker-";

    private ClassArchive() {}

    /**
     * The flags that make a JVM started as {@code java <jvmFlags> -cp <classPath>} map the worker archive, which
     * is created first when missing; empty when the flags already choose how classes are shared ({@code -Xshare},
     * {@code -XX:SharedArchiveFile}, e.g. from {@code THRONG_WORKER_JAVA_OPTS}), or when the archive cannot be
     * made.
     */
    static List<String> flags(String java, List<String> jvmFlags, String classPath, String classListName) {
        if (jvmFlags.stream().anyMatch(f -> f.startsWith("-Xshare") || f.contains("SharedArchiveFile"))) {
            return List.of();
        }
        try {
            byte[] classList = classList(classListName);
            if (classList == null) {
                LOG.debug("no {} in the jar: workers use the JDK's class archive", classListName);
                return List.of();
            }
            Path archive = directory().resolve(name(java, jvmFlags, classPath, classList));
            if (Files.isRegularFile(archive)) {
                Files.setLastModifiedTime(archive, FileTime.from(Instant.now())); // in use: see removeUnused
            } else {
                dump(java, jvmFlags, classPath, classList, archive);
                removeUnused(archive.getParent(), Instant.now().minus(UNUSED_FOR));
            }
            return List.of("-XX:SharedArchiveFile=" + archive);
        } catch (IOException | RuntimeException e) {
            LOG.warn("workers start without their class archive: {}", e.toString());
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    /**
     * Where archives are kept: {@code THRONG_CACHE_DIR}; else systemd's {@code CACHE_DIRECTORY} (a unit with
     * {@code CacheDirectory=throng}); else {@code $XDG_CACHE_HOME/throng} or {@code ~/.cache/throng}; else the
     * temporary directory.
     */
    static Path directory() {
        Map<String, String> env = System.getenv();
        if (env.get("THRONG_CACHE_DIR") != null) {
            return Path.of(env.get("THRONG_CACHE_DIR"));
        }
        if (env.get("CACHE_DIRECTORY") != null) {
            return Path.of(env.get("CACHE_DIRECTORY").split(":")[0]);
        }
        if (env.get("XDG_CACHE_HOME") != null) {
            return Path.of(env.get("XDG_CACHE_HOME"), "throng");
        }
        String home = System.getProperty("user.home");
        return home != null && !home.isEmpty() && !"?".equals(home)
                ? Path.of(home, ".cache", "throng")
                : Path.of(System.getProperty("java.io.tmpdir"), "throng-cache");
    }

    /**
     * The archive's file name: a digest of everything an archive must match at run time (the JVM binary and its
     * build, the class path with each entry's size and time, the JVM flags) and of the class list.
     */
    static String name(String java, List<String> jvmFlags, String classPath, byte[] classList) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        StringBuilder key = new StringBuilder()
                .append(java)
                .append('\n')
                .append(System.getProperty("java.vm.version"))
                .append('\n')
                .append(String.join(" ", jvmFlags))
                .append('\n');
        for (String entry : classPath.split(File.pathSeparator)) {
            Path p = Path.of(entry);
            key.append(p.toAbsolutePath())
                    .append(' ')
                    .append(Files.size(p))
                    .append(' ')
                    .append(Files.getLastModifiedTime(p).toMillis())
                    .append('\n');
        }
        digest.update(key.toString().getBytes(StandardCharsets.UTF_8));
        digest.update(classList);
        return PREFIX + HexFormat.of().formatHex(digest.digest(), 0, 8) + ".jsa";
    }

    /** Deletes the archives in {@code dir} last used (made or started with) before {@code before}. */
    static void removeUnused(Path dir, Instant before) {
        try (DirectoryStream<Path> archives = Files.newDirectoryStream(dir, PREFIX + "*.jsa")) {
            for (Path archive : archives) {
                if (Files.getLastModifiedTime(archive).toInstant().isBefore(before)) {
                    Files.deleteIfExists(archive);
                    LOG.info("removed a class archive unused since {}: {}", before, archive);
                }
            }
        } catch (IOException e) {
            LOG.debug("could not remove old class archives in {}", dir, e);
        }
    }

    private static byte[] classList(String name) throws IOException {
        try (InputStream in = ClassArchive.class.getResourceAsStream(name)) {
            return in == null ? null : in.readAllBytes();
        }
    }

    /** Runs {@code java <jvmFlags> -Xshare:dump …} into a temporary file, then moves it into place. */
    private static void dump(String java, List<String> jvmFlags, String classPath, byte[] classList, Path archive)
            throws IOException, InterruptedException {
        Files.createDirectories(archive.getParent());
        Path list = Files.createTempFile(archive.getParent(), "worker", ".classlist");
        Path partial = Files.createTempFile(archive.getParent(), "worker", ".jsa.partial");
        Path log = Files.createTempFile(archive.getParent(), "worker", ".log");
        try {
            Files.write(list, classList);
            List<String> command = new ArrayList<>();
            command.add(java);
            command.addAll(jvmFlags);
            command.addAll(List.of(
                    "-Xshare:dump",
                    "-XX:SharedClassListFile=" + list,
                    "-XX:SharedArchiveFile=" + partial,
                    "-cp",
                    classPath));
            long started = System.nanoTime();
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            if (!process.waitFor(DUMP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("the class archive dump took over " + DUMP_TIMEOUT_SECONDS + " s");
            }
            if (process.exitValue() != 0 || Files.size(partial) == 0) {
                List<String> lines = Files.readAllLines(log);
                throw new IOException("the class archive dump failed (exit " + process.exitValue() + "): "
                        + String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size())));
            }
            // Atomic: a supervisor starting at the same moment finds either no archive or a whole one.
            Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            LOG.info(
                    "class archive for the workers written in {} ms: {}",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
                    archive);
        } finally {
            Files.deleteIfExists(list);
            Files.deleteIfExists(partial);
            Files.deleteIfExists(log);
        }
    }
}
