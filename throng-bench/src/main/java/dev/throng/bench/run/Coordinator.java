package dev.throng.bench.run;

import dev.throng.bench.plan.Loader;
import dev.throng.bench.plan.Scenario;
import dev.throng.bench.protocol.HistogramKind;
import dev.throng.bench.protocol.Json;
import dev.throng.bench.protocol.WorkerMessage;
import dev.throng.bench.protocol.WorkerSnapshot;
import dev.throng.bench.protocol.WorkerSpec;
import dev.throng.bench.report.Format;
import dev.throng.bench.report.Observations;
import dev.throng.bench.report.ReportBuilder;
import dev.throng.bench.report.RunReport;
import dev.throng.bench.report.SummaryPrinter;
import dev.throng.bench.worker.WorkerMain;
import dev.throng.doctor.OpenFilesLimit;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;

/**
 * Runs a benchmark: starts the worker processes, starts them together, prints progress once a second, starts the
 * hold when every attempt has resolved and the close phase when the hold is over, then merges the workers' reports.
 * Holds no connection itself. Every wait is bounded; the workers are ended (by their own process handles) whatever
 * happens, also when this JVM is stopped.
 */
public final class Coordinator {

    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILURES = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_BENCH_ERROR = 3;

    /**
     * Heap per connection a worker is given: about twice the retained size measured (1.8 KiB with epoll,
     * docs/bench.md), so the serial GC has room while the heap stays small.
     */
    static final long HEAP_BYTES_PER_CONNECTION = 4096;
    /** Heap a worker needs with no connection: Netty, Jackson, histograms, with headroom. */
    static final long BASE_HEAP_MB = 48;
    /**
     * Heap of an hsload worker: it holds no connection, only hsload's statistics once a second (a file of tens of
     * kilobytes) and the run's step histograms.
     */
    static final long HSLOAD_WORKER_HEAP_MB = 64;
    /** Slack added to every bounded wait, for a slow or busy machine. */
    private static final long SLACK_NANOS = TimeUnit.SECONDS.toNanos(60);

    private static final long TICK_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How often the coordinator looks for a phase change between progress lines. */
    private static final long POLL_MILLIS = 20;

    private final BenchSettings s;
    private final PrintWriter out;
    private final PrintWriter err;
    /** Subscribe scenario: the publish steps that make its hold; null otherwise. */
    private PublishSteps steps;

    private long lastDelivered;

    public Coordinator(BenchSettings settings, PrintWriter out, PrintWriter err) {
        this.s = settings;
        this.out = out;
        this.err = err;
    }

    /**
     * Runs the benchmark.
     *
     * @return {@link #EXIT_OK}, {@link #EXIT_FAILURES} when failures exceeded {@code --max-failures}, or
     *     {@link #EXIT_BENCH_ERROR} when the bench itself failed (a worker died, a deadline passed)
     * @throws IllegalArgumentException when the run cannot be planned (limits, ports, pids); nothing was started
     */
    public int run() throws IOException, InterruptedException {
        // A worker JVM raises its soft limit to the hard one at start (-XX:+MaxFDLimit): the hard limit is its own.
        long fileLimit = OpenFilesLimit.ofThisProcess().hard();
        List<WorkerSpec> specs = WorkerPlanner.plan(s, fileLimit);
        if (s.loader() == Loader.HSLOAD && !Files.isExecutable(s.hsload())) {
            throw new IllegalArgumentException(
                    "--loader hsload: no hsload at " + s.hsload().toAbsolutePath()
                            + " (build it with bench/hsload/build.sh, or give --hsload PATH or THRONG_HSLOAD)");
        }
        ServerSampler sampler = s.serverPids().isEmpty() ? null : new ServerSampler(s.serverPids());
        if (s.subscribe() != null) {
            SubscribeSettings sub = s.subscribe();
            URI api = sub.apiUrl() != null
                    ? sub.apiUrl()
                    : URI.create("http://" + s.urls().get(0).host() + ":"
                            + s.urls().get(0).port());
            ServerSampler broker =
                    sub.brokerPids().isEmpty() ? null : new ServerSampler("--broker-pid", sub.brokerPids());
            steps = new PublishSteps(sub, new Publisher(sub, api), sampler, broker, out);
        }
        out.printf(
                "throng bench: %s, %s connections to %s from %s, %d worker%s, ramp %s/s, hold %s%n",
                s.scenario().name().toLowerCase(Locale.ROOT),
                Format.count(s.connections()),
                s.urls().size() == 1 ? s.urls().get(0) : s.urls().size() + " URLs",
                s.sources().size() == 1 ? s.sources().get(0) : s.sources().size() + " source addresses",
                specs.size(),
                specs.size() == 1 ? "" : "s",
                Format.count(Math.round(s.rate())),
                Format.duration(s.hold()));
        out.flush();

        List<WorkerProcess> workers = new ArrayList<>();
        Thread killer = new Thread(() -> workers.forEach(WorkerProcess::kill), "bench-kill-workers");
        Runtime.getRuntime().addShutdownHook(killer);
        try {
            for (WorkerSpec spec : specs) {
                workers.add(WorkerProcess.start(spec, command(spec), err));
            }
            return drive(workers, sampler);
        } finally {
            if (steps != null) {
                steps.close();
            }
            for (WorkerProcess w : workers) {
                w.closeInput();
            }
            for (WorkerProcess w : workers) {
                w.reap(5000);
            }
            try {
                Runtime.getRuntime().removeShutdownHook(killer);
            } catch (IllegalStateException e) {
                // already shutting down: the hook runs anyway
            }
        }
    }

    private int drive(List<WorkerProcess> workers, ServerSampler sampler) throws IOException, InterruptedException {
        long readyDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30 + 2L * workers.size());
        if (!await(workers, w -> w.ready != null, readyDeadline, "start")) {
            return EXIT_BENCH_ERROR;
        }
        for (WorkerProcess w : workers) {
            if (w.openFilesLimit != null
                    && WorkerPlanner.connectionsPerWorker(w.openFilesLimit, s.loader()) < w.spec.connections()) {
                err.println("throng bench: worker " + w.spec.worker() + " may open only " + w.openFilesLimit
                        + " files but holds " + w.spec.connections() + " connections; use more --workers");
                return EXIT_BENCH_ERROR;
            }
        }
        ServerSampler.Sample before = sampler == null ? null : sampler.sample();
        long pssBefore = sampler == null ? 0 : sampler.pssBytes();
        long pssHeld = 0;
        long serverRssPeak = before == null ? 0 : before.rssBytes();
        ServerSampler.Sample atHoldStart = null;
        ServerSampler.Sample atHoldEnd = null;

        long go = System.nanoTime();
        workers.forEach(w -> w.command(WorkerMessage.CMD_GO));
        long rampDeadline = go + s.effectiveRampTimeout().toNanos();
        boolean rampStopped = false;
        boolean closeCutShort = false;
        long holdStart = 0;
        long holdEnd = 0;
        long closeDeadline = Long.MAX_VALUE;
        long heldAtEndOfHold = 0;
        long lastEstablished = 0;
        long lastCpu = workers.stream().mapToLong(w -> w.ready.cpuNanos()).sum();
        long lastTick = go;
        double peakRate = 0;
        double peakCpu = 0;
        long peakRss = 0;
        Map<HistogramKind, Histogram> interval = new EnumMap<>(HistogramKind.class);
        long tick = go + TICK_NANOS;
        for (; ; ) {
            // Wake once a second for progress, or at once when a phase can change.
            long now = System.nanoTime();
            while (now - tick < 0 && !phaseDue(workers, holdStart, holdEnd, now)) {
                Thread.sleep(POLL_MILLIS);
                now = System.nanoTime();
            }
            for (WorkerProcess w : workers) {
                if (w.report == null && (w.ended || w.error != null)) {
                    err.println("throng bench: " + w.describeFailure() + "; stopping the run");
                    return EXIT_BENCH_ERROR;
                }
            }
            List<WorkerSnapshot> latest = workers.stream().map(w -> w.latest).collect(Collectors.toList());
            ServerSampler.Sample server = sampler == null ? null : sampler.sample();
            if (server != null) {
                serverRssPeak = Math.max(serverRssPeak, server.rssBytes());
            }
            if (now - tick >= 0) { // progress, from each worker's latest snapshot
                tick += TICK_NANOS * Math.max(1, (now - tick) / TICK_NANOS + 1);
                long established =
                        latest.stream().mapToLong(WorkerSnapshot::established).sum();
                long cpu = latest.stream().mapToLong(WorkerSnapshot::cpuNanos).sum();
                long rss = latest.stream().mapToLong(WorkerSnapshot::rssBytes).sum();
                double seconds = (now - lastTick) / 1e9;
                double rate = (established - lastEstablished) / seconds;
                double cpuCores = (cpu - lastCpu) / 1e9 / seconds;
                peakRate = Math.max(peakRate, rate);
                peakCpu = Math.max(peakCpu, cpuCores);
                peakRss = Math.max(peakRss, rss);
                lastEstablished = established;
                lastCpu = cpu;
                lastTick = now;
                interval.clear();
                workers.forEach(w -> w.drainInterval(interval));
                printProgress(
                        now - go,
                        holdStart == 0 ? "ramp" : holdEnd == 0 ? holdLabel() : "close",
                        latest,
                        rate,
                        interval,
                        cpuCores,
                        rss,
                        server,
                        seconds);
            }

            // Phases.
            if (holdStart == 0) {
                if (workers.stream().allMatch(w -> w.ramped != null)) {
                    holdStart = now;
                    atHoldStart = server;
                    if (steps != null) {
                        steps.start(PublishSteps.subscribersPerChannel(collect(workers, w -> w.ramped)), now);
                    }
                } else if (now - rampDeadline > 0 && !rampStopped) {
                    // Behind schedule (the box cannot keep the rate): hold and report what is open rather than
                    // nothing; the verdict fails. Attempts in flight get their connect timeout to resolve.
                    rampStopped = true;
                    rampDeadline = now + s.connectTimeout().toNanos() + SLACK_NANOS;
                    err.printf(
                            "throng bench: the ramp did not finish in time (%s of %s established); no more "
                                    + "attempts, holding what is open%n",
                            Format.count(latest.stream()
                                    .mapToLong(WorkerSnapshot::established)
                                    .sum()),
                            Format.count(s.connections()));
                    err.flush();
                    workers.forEach(w -> w.command(WorkerMessage.CMD_STOP_RAMP));
                } else if (now - rampDeadline > 0) {
                    err.println("throng bench: attempts in flight did not resolve after the ramp was stopped; "
                            + "stopping the run");
                    return EXIT_BENCH_ERROR;
                }
            }
            if (holdStart != 0 && holdEnd == 0 && holdOver(now, holdStart, workers)) {
                holdEnd = now;
                atHoldEnd = server;
                pssHeld = sampler == null ? 0 : sampler.pssBytes();
                heldAtEndOfHold =
                        latest.stream().mapToLong(WorkerSnapshot::open).sum();
                closeDeadline = now
                        + (long) (heldAtEndOfHold / s.effectiveCloseRate() * 1e9)
                        + s.closeTimeout().toNanos()
                        + SLACK_NANOS;
                workers.forEach(w -> w.command(WorkerMessage.CMD_CLOSE));
            }
            if (holdEnd != 0 && workers.stream().allMatch(w -> w.report != null)) {
                break;
            }
            if (now - closeDeadline > 0 && !closeCutShort) {
                // Closing gently took too long (a saturated box): end the rest without the closing handshake, so
                // the run still reports; they count as unclean closes.
                closeCutShort = true;
                closeDeadline = now + SLACK_NANOS;
                err.printf(
                        "throng bench: closing did not finish in time (%s still open); dropping them%n",
                        Format.count(
                                latest.stream().mapToLong(WorkerSnapshot::open).sum()));
                err.flush();
                workers.forEach(w -> w.command(WorkerMessage.CMD_DROP));
            } else if (now - closeDeadline > 0) {
                err.println(
                        "throng bench: workers did not report after dropping their connections; stopping the " + "run");
                return EXIT_BENCH_ERROR;
            }
        }
        long end = System.nanoTime();

        Observations.ServerObservations serverObservations = null;
        if (sampler != null) {
            serverObservations = new Observations.ServerObservations(
                    sampler.pids(),
                    before.rssBytes(),
                    atHoldEnd.rssBytes(),
                    serverRssPeak,
                    pssBefore,
                    pssHeld,
                    atHoldStart.cpuNanos(),
                    atHoldEnd.cpuNanos());
        }
        Observations o = new Observations(
                collect(workers, w -> w.ready),
                collect(workers, w -> w.ramped),
                collect(workers, w -> w.report),
                go,
                holdStart,
                holdEnd,
                end,
                heldAtEndOfHold,
                peakRate,
                peakCpu,
                peakRss,
                rampStopped,
                closeCutShort,
                serverObservations);
        RunReport report = ReportBuilder.build(
                new ReportBuilder.RunDescription(
                        s.scenario().name().toLowerCase(Locale.ROOT),
                        s.scenario() == Scenario.ECHO,
                        s.connections(),
                        s.urls().stream().map(Object::toString).collect(Collectors.toList()),
                        s.sources(),
                        s.maxFailures(),
                        Runtime.getRuntime().availableProcessors()),
                o,
                steps == null ? null : steps.report());
        SummaryPrinter.print(report, out);
        if (s.report() != null) {
            Path path = s.report();
            Json.MAPPER.writerWithDefaultPrettyPrinter().writeValue(path.toFile(), report);
            out.println("report        " + path);
            out.flush();
        }
        return report.verdict().passed() ? EXIT_OK : EXIT_FAILURES;
    }

    /** The hold's label in progress lines: {@code hold}, or the publish step running. */
    private String holdLabel() {
        return steps != null && !s.subscribe().steps().isEmpty() ? steps.current() : "hold";
    }

    /** Whether the hold is over: its duration passed, or (subscribe scenario with steps) every step is done. */
    private boolean holdOver(long now, long holdStart, List<WorkerProcess> workers) {
        if (steps != null && !s.subscribe().steps().isEmpty()) {
            return steps.advance(now, workers);
        }
        return now - holdStart >= s.hold().toNanos();
    }

    private void printProgress(
            long sinceGo,
            String phase,
            List<WorkerSnapshot> latest,
            double rate,
            Map<HistogramKind, Histogram> interval,
            double cpuCores,
            long rss,
            ServerSampler.Sample server,
            double seconds) {
        long open = latest.stream().mapToLong(WorkerSnapshot::open).sum();
        long failed = latest.stream().mapToLong(WorkerSnapshot::failed).sum();
        long lost = latest.stream().mapToLong(WorkerSnapshot::lostTotal).sum();
        StringBuilder line = new StringBuilder(String.format(
                Locale.ROOT,
                "[%5ds %-5s] open %9s  +%s/s  failed %s" + "  lost %s",
                TimeUnit.NANOSECONDS.toSeconds(sinceGo),
                phase,
                Format.count(open),
                Format.count(Math.round(rate)),
                Format.count(failed),
                Format.count(lost)));
        HistogramKind shown = s.scenario() == Scenario.ECHO
                ? HistogramKind.ECHO_ROUND_TRIP
                : s.scenario() == Scenario.SUBSCRIBE
                        ? (phase.equals("ramp") ? HistogramKind.SUBSCRIBE : HistogramKind.DELIVERY)
                        : s.clientPing().isZero() ? HistogramKind.HANDSHAKE : HistogramKind.CLIENT_PING_ROUND_TRIP;
        if (s.scenario() == Scenario.SUBSCRIBE) {
            long subscribed = latest.stream()
                    .filter(w -> w.fanout() != null)
                    .mapToLong(w -> w.fanout().subscribedConnections())
                    .sum();
            long delivered = latest.stream()
                    .filter(w -> w.fanout() != null)
                    .mapToLong(w -> w.fanout().delivered())
                    .sum();
            line.append("  subscribed ")
                    .append(Format.count(subscribed))
                    .append("  deliveries ")
                    .append(Format.count(Math.round((delivered - lastDelivered) / seconds)))
                    .append("/s");
            lastDelivered = delivered;
        }
        Histogram h = interval.get(shown);
        if (h == null && shown != HistogramKind.HANDSHAKE) {
            h = interval.get(HistogramKind.HANDSHAKE);
            shown = HistogramKind.HANDSHAKE;
        }
        if (h != null && h.getTotalCount() > 0) {
            line.append("  p99 ")
                    .append(shown.key())
                    .append(' ')
                    .append(Format.millis(h.getValueAtPercentile(99) / 1000.0))
                    .append(" ms");
        }
        line.append(String.format(Locale.ROOT, "  | bench cpu %.2f rss %s", cpuCores, Format.bytes(rss)));
        if (server != null) {
            line.append("  | server rss ").append(Format.bytes(server.rssBytes()));
        }
        out.println(line);
        out.flush();
    }

    /** Whether a phase may change now: all ramped (hold starts), hold over (close starts), all reported (end). */
    private boolean phaseDue(List<WorkerProcess> workers, long holdStart, long holdEnd, long now) {
        if (holdStart == 0) {
            return workers.stream().allMatch(w -> w.ramped != null);
        }
        if (holdEnd == 0) {
            return holdOver(now, holdStart, workers);
        }
        return workers.stream().allMatch(w -> w.report != null || w.ended);
    }

    private boolean await(List<WorkerProcess> workers, Predicate<WorkerProcess> done, long deadline, String what)
            throws InterruptedException {
        while (!workers.stream().allMatch(done)) {
            for (WorkerProcess w : workers) {
                if (!done.test(w) && (w.ended || w.error != null)) {
                    err.println("throng bench: " + w.describeFailure() + " during " + what);
                    return false;
                }
            }
            if (System.nanoTime() - deadline > 0) {
                err.println("throng bench: workers did not " + what + " in time");
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    private static List<WorkerSnapshot> collect(
            List<WorkerProcess> workers, Function<WorkerProcess, WorkerSnapshot> f) {
        return workers.stream().map(f).collect(Collectors.toList());
    }

    /** The command line of a worker: the coordinator's java and class path, a heap sized from its share. */
    List<String> command(WorkerSpec spec) {
        String java = ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (s.loader() == Loader.HSLOAD) {
            // A lean JVM: it reads one file a second. C1 only and one compiler thread (no C2 to pay for at start
            // beside the server on few cores), the serial GC, no perf data file.
            List<String> cmd = new ArrayList<>(List.of(
                    java,
                    "-Xmx" + HSLOAD_WORKER_HEAP_MB + "m",
                    "-XX:+UseSerialGC",
                    "-XX:TieredStopAtLevel=1",
                    "-XX:CICompilerCount=1",
                    "-Xss512k",
                    "-XX:-UsePerfData"));
            cmd.addAll(s.workerJvmOptions());
            cmd.addAll(List.of(
                    "-cp",
                    System.getProperty("java.class.path"),
                    WorkerMain.class.getName(),
                    s.hsload().toAbsolutePath().toString()));
            return cmd;
        }
        long heapMb = BASE_HEAP_MB + (spec.connections() * HEAP_BYTES_PER_CONNECTION + (1 << 20) - 1) / (1 << 20);
        List<String> cmd = new ArrayList<>(List.of(
                java,
                "-Xmx" + heapMb + "m",
                "-XX:+UseSerialGC", // one small heap, no GC threads: the least memory and CPU per worker
                "-Xss512k",
                "-XX:MaxDirectMemorySize=256m", // reserved, not used: idle connections hold no buffers
                "-XX:-UsePerfData"));
        if (s.scenario() != Scenario.SUBSCRIBE) {
            // C1 only: dozens of workers on few cores start faster and use less memory. Subscribers read every
            // delivery, hundreds of thousands a second: there C2's code halves the bench's latency for a little
            // more CPU at start (measured against Bun, 256,000 deliveries/s: p50 7 ms instead of 16 ms).
            cmd.add(2, "-XX:TieredStopAtLevel=1");
        }
        cmd.addAll(s.workerJvmOptions());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), WorkerMain.class.getName()));
        return cmd;
    }
}
