package dev.throng.bench.worker;

import dev.throng.bench.hsload.HsloadArgs;
import dev.throng.bench.hsload.HsloadSnapshots;
import dev.throng.bench.hsload.HsloadStats;
import dev.throng.bench.os.ProcStats;
import dev.throng.bench.protocol.Json;
import dev.throng.bench.protocol.WorkerMessage;
import dev.throng.bench.protocol.WorkerSnapshot;
import dev.throng.bench.protocol.WorkerSpec;
import dev.throng.doctor.OpenFilesLimit;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A worker process of the subscribe scenario whose subscribers are one {@code hsload} process (bench/hsload, C)
 * instead of Netty event loops: {@code throng bench --loader hsload}. It speaks the coordinator's protocol as
 * {@link Worker} does ({@link WorkerMessage}, through {@link ProtocolOut}), and does little itself: on {@code go} it starts hsload with the
 * spec's share ({@link HsloadArgs}), then once a second reads hsload's statistics file and reports it
 * ({@link HsloadSnapshots}); on {@code close} or {@code drop} it ends hsload's hold (SIGUSR1; SIGTERM then SIGKILL,
 * by its PID, if it does not exit) and sends the {@code report} from hsload's last statistics. hsload runs with
 * {@code --stop-with-parent}, so it does not outlive this process.
 *
 * <p>Started by the coordinator, with its class path, as {@code java … dev.throng.bench.worker.WorkerMain HSLOAD}.
 *
 * <p>The subscription of a connection hsload opened is resolved by its {@code subscription_succeeded}, a
 * {@code pusher:error} or the server closing it; those still unresolved {@code --connect-timeout} after hsload's last
 * handshake count as {@code timeout}, as the Java worker times out a subscription. Then {@code ramped} is sent.
 *
 * <p>Every step runs on one thread ({@link #loop}): the commands read from stdin are handed to it, so no state is
 * shared.
 */
public final class HsloadWorker {

    /** How long hsload gets to close its connections and write its last statistics after SIGUSR1. */
    static final long END_GRACE_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** How long after SIGTERM before SIGKILL. */
    static final long TERM_GRACE_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final WorkerSpec spec;
    private final Path hsloadBinary;
    private final ProtocolOut protocol;
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "hsload-worker");
        t.setDaemon(true);
        return t;
    });
    private final HsloadSnapshots snapshots;
    private final Path dir;
    private final Path statsFile;

    private Process hsload;
    private long goNanos;
    private HsloadStats last;
    private boolean rampedSent;
    private long rampMillis;
    private long subscribeTimeouts;
    /** When the end of hsload was asked (close, drop, or the coordinator gone), 0 before. */
    private long endAsked;

    /** hsload's CPU time, nanoseconds, as last read. */
    private long hsloadCpu;

    private boolean termSent;
    private boolean exitWhenDone;

    HsloadWorker(WorkerSpec spec, Path hsloadBinary, ProtocolOut protocol) throws IOException {
        this.spec = spec;
        this.hsloadBinary = hsloadBinary;
        this.protocol = protocol;
        this.snapshots = new HsloadSnapshots(spec);
        this.dir = Files.createTempDirectory("throng-hsload-" + spec.worker() + "-");
        this.statsFile = dir.resolve("stats");
    }

    /** Announces readiness, then follows the commands until input ends; the report exits the process itself. */
    int run(BufferedReader commands) throws Exception {
        HsloadArgs.command(hsloadBinary, spec, statsFile); // refuses a spec hsload cannot run, before `ready`
        protocol.emit(new WorkerMessage(
                WorkerMessage.TYPE_READY,
                snapshot(false),
                OpenFilesLimit.ofThisProcess().hard(), // hsload raises its soft limit to the hard one
                null));
        for (String line; (line = commands.readLine()) != null; ) {
            String cmd = Json.MAPPER.readValue(line, WorkerMessage.class).type();
            loop.execute(() -> safely(() -> command(cmd)));
        }
        // The coordinator is gone: end hsload and exit without a report.
        System.err.println("coordinator went away (end of input): ending hsload");
        loop.execute(() -> safely(() -> {
            exitWhenDone = true;
            askEnd();
        }));
        loop.awaitTermination(END_GRACE_NANOS + TERM_GRACE_NANOS + TimeUnit.SECONDS.toNanos(10), TimeUnit.NANOSECONDS);
        return 1;
    }

    private void command(String cmd) throws IOException {
        switch (cmd) {
            case WorkerMessage.CMD_GO -> start();
            case WorkerMessage.CMD_STOP_RAMP -> signal("USR2"); // no more handshakes; those in flight resolve
            case WorkerMessage.CMD_CLOSE, WorkerMessage.CMD_DROP -> askEnd();
            default -> {}
        }
    }

    private void start() throws IOException {
        if (hsload != null) {
            return;
        }
        goNanos = System.nanoTime();
        List<String> cmd = HsloadArgs.command(hsloadBinary, spec, statsFile);
        System.err.println("hsload: " + String.join(" ", cmd));
        hsload = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        hsload.getOutputStream().close();
        Thread pump = new Thread(() -> forward(hsload.getInputStream()), "hsload-output");
        pump.setDaemon(true);
        pump.start();
        loop.scheduleAtFixedRate(() -> safely(this::tick), 1, 1, TimeUnit.SECONDS);
    }

    /** Once a second: read hsload's statistics, report progress, and move through ramped, closing and the report. */
    private void tick() throws IOException {
        boolean exited = !hsload.isAlive();
        read();
        if (exited && endAsked == 0) {
            throw new IllegalStateException(
                    "hsload exited by itself, status " + hsload.exitValue() + " (its output is above)");
        }
        if (exited) {
            finish();
            return;
        }
        if (endAsked != 0) {
            long waited = System.nanoTime() - endAsked;
            if (!termSent && waited > END_GRACE_NANOS) {
                termSent = true;
                hsload.destroy(); // SIGTERM
            } else if (waited > END_GRACE_NANOS + TERM_GRACE_NANOS) {
                hsload.destroyForcibly();
            }
            return; // no progress while closing: the counts stand until the report
        }
        resolveSubscriptions();
        protocol.emit(WorkerMessage.of(WorkerMessage.TYPE_PROGRESS, snapshot(true)));
        if (rampedSent || rampMillis == 0) {
            return;
        }
        rampedSent = true;
        protocol.emit(WorkerMessage.of(WorkerMessage.TYPE_RAMPED, snapshot(true)));
    }

    /**
     * Sets {@link #rampMillis} once every attempt is resolved: hsload's handshakes are all done and each connection
     * that opened subscribed, failed, or was closed; those still waiting a connect timeout after the last handshake
     * count as timeouts.
     */
    private void resolveSubscriptions() {
        if (rampMillis != 0 || last == null || last.phase().equals("connecting")) {
            return;
        }
        long ok = last.get("handshakes", "ok");
        long waiting = ok
                - last.get("pusher", "subscribed")
                - last.get("pusher", "sub_errors")
                - last.get("pusher", "sub_lost");
        long connectedMicros = last.get("handshakes", "connect_us");
        long sinceGoMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - goNanos);
        if (waiting <= 0) {
            rampMillis = Math.max(1, Math.max(last.get("pusher", "ramp_us"), connectedMicros) / 1000);
        } else if (sinceGoMillis > connectedMicros / 1000 + spec.connectTimeoutMillis()) {
            subscribeTimeouts = waiting;
            rampMillis = Math.max(1, sinceGoMillis);
        }
    }

    private void askEnd() {
        if (endAsked != 0) {
            return;
        }
        endAsked = System.nanoTime();
        if (hsload == null) { // never started: nothing to end
            finish();
            return;
        }
        signal("USR1");
    }

    /** hsload has exited (or never started): the report from its last statistics, then exit. */
    private void finish() {
        if (!exitWhenDone) {
            protocol.emit(WorkerMessage.of(WorkerMessage.TYPE_REPORT, snapshot(false)));
        }
        try {
            Files.deleteIfExists(statsFile);
            Files.deleteIfExists(dir.resolve("stats.tmp"));
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            System.err.println("could not remove " + dir + ": " + e);
        }
        System.exit(exitWhenDone ? 1 : 0); // the main thread is blocked reading stdin
    }

    private void read() throws IOException {
        try {
            last = HsloadStats.parse(Files.readString(statsFile));
        } catch (NoSuchFileException e) {
            // nothing written yet: the counts stay 0
        }
    }

    private WorkerSnapshot snapshot(boolean interval) {
        long pid = hsload != null ? hsload.pid() : ProcessHandle.current().pid();
        // The load generator's cost is hsload's and this JVM's (which wakes once a second), both from /proc; once
        // hsload has exited, its CPU is what it wrote last (its own getrusage, after closing its connections).
        long cpu = ProcStats.selfCpuNanos();
        long rss = ProcStats.selfRssBytes();
        if (hsload != null && hsload.isAlive()) {
            try {
                hsloadCpu = ProcStats.cpuNanos(Long.toString(hsload.pid()));
                rss += ProcStats.rssBytes(Long.toString(hsload.pid()));
            } catch (IOException | RuntimeException e) {
                // exited between the check and the read
            }
        }
        if (last != null) {
            hsloadCpu = Math.max(hsloadCpu, (last.get("cpu", "user_us") + last.get("cpu", "sys_us")) * 1000);
        }
        return snapshots.snapshot(
                last,
                new HsloadSnapshots.Extras(
                        pid, cpu + hsloadCpu, rss, subscribeTimeouts, rampMillis, endAsked != 0 && !hsloadAlive()),
                interval);
    }

    private boolean hsloadAlive() {
        return hsload != null && hsload.isAlive();
    }

    /** Sends a signal to hsload, by its PID (the JDK's Process can only send SIGTERM and SIGKILL). */
    private void signal(String name) {
        if (hsload == null || !hsload.isAlive()) {
            return;
        }
        try {
            new ProcessBuilder("kill", "-" + name, Long.toString(hsload.pid()))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD) // stdout is the protocol's
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start()
                    .waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void forward(InputStream in) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                System.err.println(line);
            }
        } catch (IOException e) {
            // hsload is gone
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    private void safely(Step step) {
        try {
            step.run();
        } catch (Throwable t) {
            t.printStackTrace();
            protocol.error("hsload worker: " + t);
            if (hsload != null) {
                hsload.destroyForcibly();
            }
            System.exit(1);
        }
    }
}
