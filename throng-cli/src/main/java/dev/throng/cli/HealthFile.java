package dev.throng.cli;

import dev.throng.core.ThrongServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's heartbeat to its supervisor (issue #15: "the supervisor also restarts a worker whose health stops
 * answering"). The worker touches a file of its own every second while its server is healthy; the supervisor reads
 * the file's age and kills a worker whose heartbeat is older than the stale age, then restarts it as after a crash.
 * That catches what the worker's own watchdog cannot: a JVM that is wedged as a whole (stopped, swapping, in a
 * collection that never ends). Workers share the port with SO_REUSEPORT, so the supervisor cannot ask one of them
 * for {@code /healthz} over the network; a file it can.
 */
final class HealthFile {
    private static final Logger LOG = LoggerFactory.getLogger(HealthFile.class);
    /** How often the worker touches its file. */
    static final Duration BEAT = Duration.ofSeconds(1);

    private HealthFile() {}

    /**
     * The age past which the supervisor kills a worker: twice its stall timeout (its own watchdog acts first), and
     * never under 10 s, so a long collection or a busy machine is not taken for a wedged JVM.
     */
    static Duration staleAfter(Duration loopStallTimeout) {
        Duration twice = loopStallTimeout.multipliedBy(2);
        return twice.compareTo(Duration.ofSeconds(10)) > 0 ? twice : Duration.ofSeconds(10);
    }

    /** Starts touching {@code file} every {@link #BEAT} while {@code server} is healthy (a daemon thread). */
    static void beat(Path file, ThrongServer server) {
        Thread thread = new Thread(
                () -> {
                    while (true) {
                        if (server.stats().healthy()) {
                            touch(file);
                        }
                        try {
                            TimeUnit.MILLISECONDS.sleep(BEAT.toMillis());
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                },
                "throng-health-file");
        thread.setDaemon(true);
        thread.start();
    }

    static void touch(Path file) {
        try {
            if (!Files.exists(file)) {
                Files.createFile(file);
            }
            Files.setLastModifiedTime(file, FileTime.from(Instant.now()));
        } catch (IOException e) {
            LOG.warn("cannot touch health file {}: {}", file, e.getMessage());
        }
    }

    /** How long ago {@code file} was last touched; null when it does not exist (the worker has not beaten yet). */
    static Duration age(Path file) {
        try {
            return Duration.between(Files.getLastModifiedTime(file).toInstant(), Instant.now());
        } catch (IOException e) {
            return null;
        }
    }
}
