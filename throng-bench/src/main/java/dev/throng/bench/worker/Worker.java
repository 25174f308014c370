package dev.throng.bench.worker;

import dev.throng.bench.client.FanoutStats;
import dev.throng.bench.client.LoopDriver;
import dev.throng.bench.client.LoopStats;
import dev.throng.bench.client.Transports;
import dev.throng.bench.os.ProcStats;
import dev.throng.bench.plan.PortRange;
import dev.throng.bench.protocol.HistogramKind;
import dev.throng.bench.protocol.Histograms;
import dev.throng.bench.protocol.Json;
import dev.throng.bench.protocol.SourceSlice;
import dev.throng.bench.protocol.WorkerMessage;
import dev.throng.bench.protocol.WorkerSnapshot;
import dev.throng.bench.protocol.WorkerSpec;
import dev.throng.doctor.OpenFilesLimit;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * One worker process's share of a run: its event loops, each with a {@link LoopDriver}, and the once-a-second
 * report to the coordinator. See {@link WorkerMessage} for the conversation.
 */
public final class Worker {

    private final WorkerSpec spec;
    private final ProtocolOut protocol;
    private final List<LoopDriver> drivers = new ArrayList<>();
    private final ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bench-reporter");
        t.setDaemon(true);
        return t;
    });
    private MultiThreadIoEventLoopGroup group;
    private boolean rampedSent;
    private volatile boolean reportSent;

    Worker(WorkerSpec spec, ProtocolOut protocol) {
        this.spec = spec;
        this.protocol = protocol;
    }

    /**
     * Runs the worker: announces readiness, then follows {@code commands} until the report is sent (the process is
     * then ended by the caller) or input ends.
     *
     * @return the exit status: 0 after the report, 1 when the coordinator went away first
     */
    public int run(BufferedReader commands) throws IOException, InterruptedException {
        Transports transport = Transports.choose(spec.transport());
        int loops = Math.max(1, Math.min(spec.ioThreads(), Math.max(1, spec.connections())));
        group = new MultiThreadIoEventLoopGroup(
                loops, new DefaultThreadFactory("bench-loop", true), transport.ioHandlerFactory());
        long first = spec.firstIndex();
        for (int i = 0; i < loops; i++) {
            int quota = (int) ((long) spec.connections() * (i + 1) / loops - (long) spec.connections() * i / loops);
            List<SourceSlice> slices = new ArrayList<>();
            for (SourceSlice s : spec.sources()) {
                PortRange r = new PortRange(s.firstPort(), s.lastPort()).slice(i, loops);
                slices.add(new SourceSlice(s.address(), r.first(), r.last()));
            }
            double share = spec.connections() == 0 ? 0 : (double) quota / spec.connections();
            drivers.add(new LoopDriver(
                    (EventLoop) group.next(),
                    transport.channelFactory(),
                    spec,
                    quota,
                    first,
                    slices,
                    spec.connectRate() * share,
                    spec.closeRate() * share));
            first += quota;
        }
        drivers.forEach(d -> d.onPhaseChange(() -> reporter.execute(this::reportSafely)));
        long openFiles = OpenFilesLimit.ofThisProcess().soft();
        LoopStats none = new LoopStats();
        if (spec.subscribe() != null) {
            none.fanout = new FanoutStats(
                    spec.subscribe().channels(), spec.subscribe().steps());
        }
        protocol.emit(
                new WorkerMessage(WorkerMessage.TYPE_READY, snapshot(none, false, heapUsedAfterGc()), openFiles, null));

        for (String line; (line = commands.readLine()) != null; ) {
            String cmd = Json.MAPPER.readValue(line, WorkerMessage.class).type();
            if (WorkerMessage.CMD_GO.equals(cmd)) {
                long go = System.nanoTime();
                drivers.forEach(d -> d.start(go));
                reporter.scheduleAtFixedRate(this::reportSafely, 1, 1, TimeUnit.SECONDS);
            } else if (WorkerMessage.CMD_STOP_RAMP.equals(cmd)) {
                drivers.forEach(LoopDriver::stopRamp);
            } else if (WorkerMessage.CMD_CLOSE.equals(cmd)) {
                drivers.forEach(LoopDriver::startClose);
            } else if (WorkerMessage.CMD_DROP.equals(cmd)) {
                drivers.forEach(LoopDriver::dropRemaining);
            }
        }
        if (reportSent) {
            return 0;
        }
        System.err.println("coordinator went away (end of input): dropping all connections");
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        return 1;
    }

    /** How long a progress report waits for an event loop's statistics before the worker gives up. */
    private static final long SNAPSHOT_TIMEOUT_SECONDS = 120;

    private void reportSafely() {
        try {
            report();
        } catch (Throwable t) {
            protocol.error("reporter failed: " + t);
            t.printStackTrace();
            System.exit(1);
        }
    }

    private void report() throws Exception {
        if (reportSent || group.isShuttingDown()) { // shutting down: the coordinator went away, nobody listens
            return;
        }
        // Read the phase flags before the counters: each loop's snapshot runs on that loop after its flag was set, so
        // it includes everything counted up to the phase change.
        boolean ramped = drivers.stream().allMatch(LoopDriver::rampDone);
        boolean closed = drivers.stream().allMatch(LoopDriver::closeDone);
        LoopStats sum = new LoopStats();
        for (LoopDriver d : drivers) {
            // Generous: on a box saturated by dozens of JVMs (500k runs here) a loop can be starved for more than
            // 10 s without being stuck; only a loop that answers nothing for two minutes fails the run.
            d.snapshot(true).get(SNAPSHOT_TIMEOUT_SECONDS, TimeUnit.SECONDS).addTo(sum);
        }
        protocol.emit(WorkerMessage.of(WorkerMessage.TYPE_PROGRESS, snapshot(sum, true, 0)));
        if (ramped && !rampedSent) {
            rampedSent = true;
            // A full GC here makes "heap per connection" a retained-size figure; one short pause per run.
            protocol.emit(WorkerMessage.of(WorkerMessage.TYPE_RAMPED, snapshot(sum, true, heapUsedAfterGc())));
        }
        if (closed) {
            protocol.emit(WorkerMessage.of(WorkerMessage.TYPE_REPORT, snapshot(sum, false, 0)));
            reportSent = true;
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
            System.exit(0); // the main thread is blocked reading stdin
        }
    }

    private WorkerSnapshot snapshot(LoopStats s, boolean interval, long heapUsed) {
        Map<String, String> histograms = new LinkedHashMap<>();
        for (HistogramKind kind : HistogramKind.values()) {
            Histogram h = interval ? s.interval(kind) : s.total(kind);
            if (h.getTotalCount() > 0) {
                histograms.put(kind.key(), Histograms.encode(h));
            }
        }
        long rampMillis = drivers.stream().allMatch(LoopDriver::rampDone)
                ? drivers.stream().mapToLong(LoopDriver::rampNanos).max().orElse(0) / 1_000_000
                : 0;
        return new WorkerSnapshot(
                spec.worker(),
                ProcessHandle.current().pid(),
                s.attempted,
                s.established,
                s.open,
                s.failures,
                s.lost,
                s.lostBySecond,
                s.closedClean,
                s.closedUnclean,
                s.portsSkipped,
                s.messagesSent,
                s.messagesReceived,
                s.bytesSent,
                s.bytesReceived,
                s.sendsSkipped,
                s.serverPings,
                s.clientPings,
                s.pongs,
                rampMillis,
                ProcStats.selfCpuNanos(),
                ProcStats.selfRssBytes(),
                heapUsed,
                histograms,
                s.fanout == null ? null : s.fanout.snapshot());
    }

    private static long heapUsedAfterGc() {
        System.gc();
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }
}
