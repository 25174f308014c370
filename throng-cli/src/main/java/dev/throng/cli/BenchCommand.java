package dev.throng.cli;

import dev.throng.bench.plan.FailureBudget;
import dev.throng.bench.plan.PayloadType;
import dev.throng.bench.plan.PortRange;
import dev.throng.bench.plan.Scenario;
import dev.throng.bench.plan.SourceAddresses;
import dev.throng.bench.plan.TargetUrl;
import dev.throng.bench.run.BenchSettings;
import dev.throng.bench.run.Coordinator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * {@code throng bench}: the load generator. Opens many WebSocket connections to one or more {@code ws://} URLs at a
 * controlled rate from worker processes, holds them, optionally echoes messages over them, closes them cleanly, and
 * reports what happened. docs/bench.md is the manual; every option's default below carries its reason. The load
 * generator itself is the {@code throng-bench} library ({@link Coordinator}); this class is only its command line.
 *
 * <p>Exit status: 0 when failures stayed within {@code --max-failures}; 1 when they did not; 2 for a usage error or
 * an unavailable scenario; 3 when the bench itself failed (a worker died, a deadline passed).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false, showDefaultValues = true,
    exitCodeOnInvalidInput = Coordinator.EXIT_USAGE, exitCodeOnExecutionException = Coordinator.EXIT_BENCH_ERROR,
    usageHelpWidth = 110,
    description = {"Opens N WebSocket connections at a controlled rate, holds them, optionally echoes messages, closes "
        + "them cleanly, and reports connect rates, failures by reason, latency percentiles and the cost of holding "
        + "connections (bench and server). See docs/bench.md."},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:failures (failed + lost connections) within --max-failures",
        "1:more failures than --max-failures", "2:usage error, or a scenario that is not available",
        "3:the bench itself failed (a worker died or a deadline passed)"})
public final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-n", "--connections"}, defaultValue = "1000", paramLabel = "N",
        description = "Connections to open. Default small enough to run anywhere; set the count you mean to test.")
    int connections;

    @Option(names = {"-u", "--url"}, defaultValue = "ws://127.0.0.1:8080/", paramLabel = "URL",
        converter = UrlConverter.class,
        description = "Target ws:// URL; repeat to spread connections round-robin over several. "
            + "Default: where `throng serve` listens by default.")
    List<TargetUrl> urls;

    @Option(names = {"-r", "--rate"}, defaultValue = "5000", paramLabel = "PER_SECOND",
        description = "Connections opened per second, over all workers. Default: what one server core accepts "
            + "comfortably with a 4,096 backlog; faster ramps measure SYN-queue overflow, not holding.")
    double rate;

    @Option(names = "--warmup", defaultValue = "0", paramLabel = "DURATION", converter = DurationConverter.class,
        description = "Time over which the connect rate climbs linearly from 0 to --rate. Default 0: full rate at "
            + "once. Dozens of load and server JVMs that have just started compile their code while the first "
            + "handshakes run; a warm-up keeps those handshakes from timing out.")
    Duration warmup;

    @Option(names = "--hold", defaultValue = "30s", paramLabel = "DURATION", converter = DurationConverter.class,
        description = "How long to hold the connections once every attempt has resolved. Default: long enough for a "
            + "steady state; use at least twice the server's ping interval to measure ping intervals.")
    Duration hold;

    @Option(names = "--connect-timeout", defaultValue = "10s", paramLabel = "DURATION",
        converter = DurationConverter.class,
        description = "Budget for TCP connect plus the opening handshake. Default: the server's handshake timeout.")
    Duration connectTimeout;

    @Option(names = "--close-timeout", defaultValue = "5s", paramLabel = "DURATION",
        converter = DurationConverter.class,
        description = "How long to wait for the server's close frame and TCP close after sending ours (code 1000). "
            + "Default: the server's close timeout.")
    Duration closeTimeout;

    @Option(names = "--ramp-timeout", defaultValue = "0", paramLabel = "DURATION",
        converter = DurationConverter.class,
        description = "When the ramp stops issuing attempts if it has not finished; what is open is then held and "
            + "reported, and the verdict fails. Default 0: connections / rate + the connect timeout + 60 s, so "
            + "only a box that cannot keep the rate hits it.")
    Duration rampTimeout;

    @Option(names = "--close-rate", defaultValue = "0", paramLabel = "PER_SECOND",
        description = "Connections closed per second. Default 0: the same as --rate, so closing is as gentle as "
            + "opening.")
    double closeRate;

    @Option(names = {"-s", "--scenario"}, defaultValue = "idle", paramLabel = "SCENARIO",
        converter = ScenarioConverter.class,
        description = "idle (hold, answer pings), echo (send every --interval, time the echo), subscribe (needs the "
            + "gateway: not available yet). Default idle: holding is what Throng is for.")
    Scenario scenario;

    @Option(names = "--interval", defaultValue = "1s", paramLabel = "DURATION", converter = DurationConverter.class,
        description = "echo: time between two messages of one connection. Default: 1 message/s per connection, "
            + "already 1M messages/s at 1M connections.")
    Duration interval;

    @Option(names = "--size", defaultValue = "32", paramLabel = "BYTES",
        description = "echo: payload bytes per message (text >= 16, binary >= 8: the send time travels in the "
            + "payload). Default: a typical small chat or ticker message.")
    int size;

    @Option(names = "--payload", defaultValue = "text", paramLabel = "TYPE", converter = PayloadConverter.class,
        description = "echo: text or binary frames. Default text: what browsers mostly send.")
    PayloadType payload;

    @Option(names = "--client-ping", defaultValue = "0", paramLabel = "DURATION", converter = DurationConverter.class,
        description = "idle: each connection also pings the server this often and times the pong. Default 0 (off): "
            + "the server pings; client pings only add traffic.")
    Duration clientPing;

    @Option(names = "--source", defaultValue = "0.0.0.0", paramLabel = "ADDRESSES", converter = SourceConverter.class,
        description = "Local IPv4 addresses to bind: ranges and lists, e.g. 127.0.0.2-127.0.0.40 or "
            + "127.0.0.2,127.0.0.3; repeatable. Each address gives up to one connection per port of --ports. "
            + "Default 0.0.0.0: the kernel picks the interface (ports are still chosen by the bench).")
    List<String> sources;

    @Option(names = "--ports", defaultValue = "1024-65535", paramLabel = "FIRST-LAST", converter = PortsConverter.class,
        description = "Local ports to bind on each source address, split among workers. Default: every "
            + "unprivileged port; ports in use are skipped.")
    PortRange ports;

    @Option(names = {"-w", "--workers"}, defaultValue = "0", paramLabel = "N",
        description = "Worker processes. Default 0 (auto): the fewest whose shares fit 90%% of the open-files limit "
            + "(read from /proc/self/limits).")
    int workers;

    @Option(names = "--io-threads", defaultValue = "1", paramLabel = "N",
        description = "Event loop threads per worker. Default 1: many single-threaded workers spread over the cores "
            + "better than a few threaded ones.")
    int ioThreads;

    @Option(names = "--transport", defaultValue = "auto", paramLabel = "NAME",
        description = "auto, epoll or nio. Default auto: epoll where it loads (less memory per socket), else NIO.")
    String transport;

    @Option(names = "--max-failures", defaultValue = "0", paramLabel = "COUNT|PERCENT%",
        converter = FailureBudgetConverter.class,
        description = "Failed plus lost connections allowed before the exit status is 1: a count or a percentage "
            + "of attempts. Default 0: a benchmark that loses connections measures the wrong thing.")
    FailureBudget maxFailures;

    @Option(names = "--report", paramLabel = "FILE",
        description = "Also write the report as JSON to FILE. Default: none.")
    Path report;

    @Option(names = "--server-pid", split = ",", paramLabel = "PID",
        description = "Server process ids to sample (RSS, CPU) for RSS per held connection and CPU per 100k idle "
            + "connections; comma-separated or repeated. Default: none.")
    List<Long> serverPids = new ArrayList<>();

    @Option(names = "--worker-jvm-option", paramLabel = "OPTION",
        description = "Extra JVM option for each worker (e.g. -Dio.netty.leakDetection.level=paranoid); "
            + "repeatable. Default: none.")
    List<String> workerJvmOptions = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (scenario == Scenario.SUBSCRIBE) {
            throw new ParameterException(spec.commandLine(), "scenario 'subscribe' is not available until the "
                + "gateway exists (docs/bench.md describes the protocol it will use)");
        }
        try {
            return new Coordinator(settings(), spec.commandLine().getOut(), spec.commandLine().getErr()).run();
        } catch (IllegalArgumentException e) { // a setting BenchSettings refuses, or a run that cannot be planned
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    /** The validated settings these options describe. */
    BenchSettings settings() {
        List<String> addresses = new ArrayList<>();
        for (String source : sources) {
            addresses.addAll(SourceAddresses.parse(source));
        }
        return BenchSettings.builder()
            .connections(connections)
            .urls(urls)
            .rate(rate)
            .warmup(warmup)
            .hold(hold)
            .connectTimeout(connectTimeout)
            .closeTimeout(closeTimeout)
            .closeRate(closeRate)
            .rampTimeout(rampTimeout)
            .scenario(scenario)
            .interval(interval)
            .messageSize(size)
            .payload(payload)
            .clientPing(clientPing)
            .sources(addresses)
            .ports(ports)
            .workers(workers)
            .ioThreads(ioThreads)
            .transport(transport)
            .maxFailures(maxFailures)
            .report(report)
            .serverPids(serverPids)
            .workerJvmOptions(workerJvmOptions)
            .build();
    }

    /**
     * Runs one of the bench's own parsers as a picocli converter, so that a value it refuses is reported with the
     * option's name, as every other bad value is.
     */
    private static <T> T parsed(String value, Function<String, T> parser) {
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }

    /** A {@code ws://} URL ({@link TargetUrl}). */
    static final class UrlConverter implements CommandLine.ITypeConverter<TargetUrl> {
        @Override
        public TargetUrl convert(String value) {
            return parsed(value, TargetUrl::parse);
        }
    }

    /** Addresses, ranges and lists ({@link SourceAddresses}), checked here and expanded by {@link #settings}. */
    static final class SourceConverter implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            parsed(value, SourceAddresses::parse);
            return value;
        }
    }

    /** {@code FIRST-LAST} ({@link PortRange}). */
    static final class PortsConverter implements CommandLine.ITypeConverter<PortRange> {
        @Override
        public PortRange convert(String value) {
            return parsed(value, PortRange::parse);
        }
    }

    /** A count or a percentage ({@link FailureBudget}). */
    static final class FailureBudgetConverter implements CommandLine.ITypeConverter<FailureBudget> {
        @Override
        public FailureBudget convert(String value) {
            return parsed(value, FailureBudget::parse);
        }
    }

    /** Case-insensitive scenario names. */
    static final class ScenarioConverter extends EnumConverter<Scenario> {
        ScenarioConverter() {
            super(Scenario.class);
        }
    }

    /** Case-insensitive payload names. */
    static final class PayloadConverter extends EnumConverter<PayloadType> {
        PayloadConverter() {
            super(PayloadType.class);
        }
    }
}
