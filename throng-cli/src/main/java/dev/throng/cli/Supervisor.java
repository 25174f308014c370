package dev.throng.cli;

import dev.throng.core.ServerConfig;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parent of {@code throng serve --workers N}: starts N server processes (echo servers, or gateway nodes on one
 * Redis) that share the port with SO_REUSEPORT, restarts one that dies (a worker whose event loop stalls exits with 70
 * by itself), kills and restarts one whose heartbeat file goes stale ({@link HealthFile}: a JVM wedged as a whole),
 * forwards SIGTERM/SIGINT to all (each drains), and exits 0 when they are done. It holds no connections itself.
 */
final class Supervisor {
    private static final Logger LOG = LoggerFactory.getLogger(Supervisor.class);
    /** Restart delay after a crash, doubled while a worker keeps crashing soon after start, up to the maximum. */
    private static final long FIRST_BACKOFF_MS = 500;

    private static final long MAX_BACKOFF_MS = 30_000;
    /**
     * How long a worker may take to beat for the first time before it is taken for wedged and killed: a worker that
     * has beaten is killed once its heartbeat is {@link HealthFile#staleAfter} old, but a JVM's start, and a gateway's,
     * can take tens of seconds on a busy machine. 2 minutes: no healthy start comes near it.
     */
    static final Duration STARTUP_GRACE = Duration.ofMinutes(2);

    /** A worker that lived this long is healthy again: its next crash restarts without backoff. */
    private static final long STABLE_MS = 30_000;
    /** Workers run on this JVM's binary, and on its class path or a part of it ({@link #workerClassPath}). */
    private static final String JAVA = ProcessHandle.current().info().command().orElse("java");

    private static final String CLASS_PATH = System.getProperty("java.class.path");
    /** The jar beside throng.jar that holds what an echo worker runs, and nothing of the gateway or the cluster. */
    static final String ECHO_WORKER_JAR = "throng-worker-echo.jar";

    private final int count;
    private final Duration drainWindow;
    /** The JVM flags and the arguments every worker starts with, the same for each; fixed at construction. */
    private final List<String> jvmFlags;

    private final WorkerArgs workerArgs;
    private final String classPath;
    private final Worker[] workers;
    /** Where the workers' heartbeat files live: a folder of this supervisor's own, deleted when it exits. */
    private final Path healthDir;

    private final Duration staleAfter;
    private volatile boolean stopping;

    /**
     * @param workerArgs what every worker runs: its share of the caps (which also sizes its heap), and the drain
     *     window
     */
    Supervisor(WorkerArgs workerArgs, int count) {
        this.count = count;
        this.drainWindow = workerArgs.drainWindow();
        ServerConfig config = workerArgs.config();
        this.jvmFlags = new ArrayList<>(WorkerPlan.jvmFlags(
                WorkerPlan.Load.of(config, false), WorkerPlan.openFilesLimit(), WorkerPlan.Jvm.current()));
        String extra = System.getenv("THRONG_WORKER_JAVA_OPTS");
        if (extra != null && !extra.isBlank()) {
            jvmFlags.addAll(List.of(extra.trim().split("\\s+")));
        }
        boolean gateway = workerArgs.gateway() != null;
        this.classPath = workerClassPath(CLASS_PATH, gateway);
        // Made before the first worker starts (about a second, once per JVM and jar): see ClassArchive.
        jvmFlags.addAll(ClassArchive.flags(
                JAVA, jvmFlags, classPath, gateway ? ClassArchive.GATEWAY_CLASS_LIST : ClassArchive.CLASS_LIST));
        this.workerArgs = workerArgs;
        this.workers = new Worker[count];
        this.staleAfter = HealthFile.staleAfter(config.keepalive().loopStallTimeout());
        try {
            this.healthDir = Files.createTempDirectory("throng-workers-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a folder for the workers' heartbeats", e);
        }
        healthDir.toFile().deleteOnExit();
    }

    private final class Worker {
        final int index;
        final Path healthFile;
        volatile Process process;
        volatile long startedAt;
        /** The process this supervisor has killed and is waiting to see exit (its exit restarts the worker). */
        volatile Process killed;

        long backoffMs = FIRST_BACKOFF_MS;
        int restarts;

        Worker(int index) {
            this.index = index;
            this.healthFile = healthDir.resolve("worker-" + index);
            healthFile.toFile().deleteOnExit();
        }
    }

    /**
     * The class path of a worker: for an echo worker {@value #ECHO_WORKER_JAR} when {@code classPath} is one jar and
     * that file is beside it (the build makes both; see throng-cli's pom), else {@code classPath} itself. Every jar a
     * JVM opens keeps its central directory in the heap, about 110 B per entry for the process's life: throng.jar's
     * 10,500 entries cost each worker 0.6 MiB more than the echo jar's 3,300 (docs/benchmarks.md, section 20), at a
     * million connections ~54 workers. A gateway's worker needs the gateway's libraries and the cluster's, so it runs
     * on the whole jar.
     */
    static String workerClassPath(String classPath, boolean gateway) {
        if (gateway || classPath.isEmpty() || classPath.contains(File.pathSeparator) || !classPath.endsWith(".jar")) {
            return classPath;
        }
        Path echoJar = Path.of(classPath).toAbsolutePath().resolveSibling(ECHO_WORKER_JAR);
        return Files.isRegularFile(echoJar) ? echoJar.toString() : classPath;
    }

    /**
     * Starts the workers and supervises them until a signal ends the process. Workers start a wave at a time, one
     * per core, each wave once the previous one has beaten (or exited, or had {@link #STARTUP_GRACE}): 53 JVMs
     * started at once on 2 cores all take longer to start than any of them would alone, and a gateway's worker
     * (Jackson, Micrometer, its connection to Redis) takes seconds even alone.
     */
    int run() throws IOException, InterruptedException {
        int wave = Math.max(1, Runtime.getRuntime().availableProcessors());
        LOG.info(
                "supervising {} workers, started {} at a time (open-files limit {} per process)",
                count,
                wave,
                WorkerPlan.openFilesLimit());
        for (int i = 0; i < count; i++) {
            workers[i] = new Worker(i);
        }
        ShutdownSignals.install(this::stopAll, () -> {
            for (Worker w : workers) {
                if (w.process != null) {
                    w.process.destroyForcibly();
                }
            }
        });
        for (int first = 0; first < count && !stopping; first += wave) {
            int end = Math.min(count, first + wave);
            for (int i = first; i < end; i++) {
                start(workers[i]);
            }
            awaitFirstBeats(first, end);
        }
        while (true) { // the signal handler exits the process
            Thread.sleep(HealthFile.BEAT.toMillis());
            if (!stopping) {
                checkHeartbeats();
            }
        }
    }

    /**
     * Waits until each worker of {@code [from, to)} has beaten once or is not running, for at most
     * {@link #STARTUP_GRACE}; the workers started before keep being checked meanwhile.
     */
    private void awaitFirstBeats(int from, int to) throws InterruptedException {
        long deadline = System.nanoTime() + STARTUP_GRACE.toNanos();
        long nextCheck = System.nanoTime();
        for (int i = from; i < to; i++) {
            Worker w = workers[i];
            while (!stopping && System.nanoTime() < deadline && HealthFile.age(w.healthFile) == null) {
                Process p = w.process;
                if (p == null || !p.isAlive()) {
                    break;
                }
                if (System.nanoTime() >= nextCheck) {
                    checkHeartbeats();
                    nextCheck = System.nanoTime() + HealthFile.BEAT.toNanos();
                }
                Thread.sleep(50);
            }
        }
    }

    /**
     * Kills every worker whose heartbeat is older than {@link #staleAfter}, or that has had none for
     * {@link #STARTUP_GRACE} since it started; its exit then restarts it like any other.
     */
    private void checkHeartbeats() {
        long now = System.currentTimeMillis();
        for (Worker w : workers) {
            Process p = w.process;
            if (p == null || !p.isAlive() || p == w.killed || now - w.startedAt < staleAfter.toMillis()) {
                continue; // a killed process takes a while to end when it held many sockets: once is enough
            }
            Duration age = HealthFile.age(w.healthFile);
            if (age == null ? now - w.startedAt > STARTUP_GRACE.toMillis() : age.compareTo(staleAfter) > 0) {
                LOG.error(
                        "worker {} (pid {}) has not been healthy for {} ms (its heartbeat: {}); killing it",
                        w.index,
                        p.pid(),
                        age == null ? now - w.startedAt : age.toMillis(),
                        age == null ? "none since it started" : "stale");
                w.killed = p;
                p.destroyForcibly();
            }
        }
    }

    /** Starts {@code worker}'s process, unless the supervisor is stopping (then every worker must end). */
    private synchronized void start(Worker worker) throws IOException {
        if (stopping) {
            return;
        }
        List<String> command = new ArrayList<>();
        command.add(JAVA);
        command.addAll(jvmFlags);
        command.add("-Dthrong.worker=" + worker.index);
        command.add("-cp");
        command.add(classPath);
        command.add(ServerProcess.class.getName());
        command.addAll(workerArgs.withHealthFile(worker.healthFile).toArgs());
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        builder.environment().putIfAbsent("MALLOC_ARENA_MAX", WorkerPlan.MALLOC_ARENA_MAX);
        builder.environment().remove(WorkerArgs.ENVIRONMENT); // a worker's is its supervisor's to give, or none
        builder.environment().putAll(workerArgs.environment());
        Files.deleteIfExists(worker.healthFile); // a heartbeat is the new process's, or none yet
        Process process = builder.start();
        worker.process = process;
        worker.startedAt = System.currentTimeMillis();
        LOG.info("worker {} started: pid {}", worker.index, process.pid());
        process.onExit().thenAccept(p -> onExit(worker, p));
    }

    private void onExit(Worker worker, Process process) {
        if (stopping) {
            LOG.info("worker {} (pid {}) exited with {}", worker.index, process.pid(), process.exitValue());
            return;
        }
        long lived = System.currentTimeMillis() - worker.startedAt;
        if (lived > STABLE_MS) {
            worker.backoffMs = FIRST_BACKOFF_MS;
        }
        long delay = worker.backoffMs;
        worker.backoffMs = Math.min(MAX_BACKOFF_MS, worker.backoffMs * 2);
        worker.restarts++;
        LOG.warn(
                "worker {} (pid {}) died with exit code {} after {} ms; restart #{} in {} ms",
                worker.index,
                process.pid(),
                process.exitValue(),
                lived,
                worker.restarts,
                delay);
        try {
            Thread.sleep(delay);
            if (!stopping) {
                start(worker);
            }
        } catch (IOException | InterruptedException e) {
            LOG.error("could not restart worker {}", worker.index, e);
        }
    }

    /** Forwards SIGTERM to every worker and waits for them to drain and exit. */
    private void stopAll() {
        synchronized (this) { // no worker starts after this: start() sees stopping
            stopping = true;
            LOG.info("stopping {} workers (drain window {})", count, drainWindow);
            for (Worker w : workers) {
                if (w.process != null) {
                    w.process.destroy(); // SIGTERM: the worker drains
                }
            }
        }
        long deadline = System.nanoTime() + drainWindow.toNanos() + TimeUnit.SECONDS.toNanos(15);
        for (Worker w : workers) {
            Process p = w.process;
            try {
                long left = deadline - System.nanoTime();
                if (p != null && !p.waitFor(Math.max(0, left), TimeUnit.NANOSECONDS)) {
                    LOG.warn("worker {} did not exit in time; killing it", w.index);
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        LOG.info("all workers stopped");
    }
}
