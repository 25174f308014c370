package dev.throng.cli;

import dev.throng.bench.plan.FailureBudget;
import dev.throng.bench.plan.Loader;
import dev.throng.bench.plan.PayloadType;
import dev.throng.bench.plan.PortRange;
import dev.throng.bench.plan.Scenario;
import dev.throng.bench.plan.SourceAddresses;
import dev.throng.bench.plan.TargetUrl;
import dev.throng.bench.pusher.EventData;
import dev.throng.bench.run.BenchSettings;
import dev.throng.bench.run.Coordinator;
import dev.throng.bench.run.SubscribeSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code throng bench}: the load generator. Opens many WebSocket connections to one or more {@code ws://} URLs at a
 * controlled rate from worker processes, holds them, optionally echoes messages over them or (scenario
 * {@code subscribe}) subscribes them to Pusher channels and publishes to those through the HTTP API, closes them
 * cleanly, and reports what happened. docs/bench.md is the manual; every option's default below carries its reason.
 * The load generator itself is the {@code throng-bench} library ({@link Coordinator}); this class is only its command
 * line.
 *
 * <p>Options whose description starts with {@code subscribe:} belong to the subscribe scenario and are refused with
 * any other ({@link #subscribeOnlyOptionsGiven}).
 *
 * <p>Exit status: 0 when failures stayed within {@code --max-failures}; 1 when they did not; 2 for a usage error;
 * 3 when the bench itself failed (a worker died, a deadline passed).
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        showDefaultValues = true,
        exitCodeOnInvalidInput = Coordinator.EXIT_USAGE,
        exitCodeOnExecutionException = Coordinator.EXIT_BENCH_ERROR,
        usageHelpWidth = 110,
        description = {
            "Opens N WebSocket connections at a controlled rate, holds them, optionally echoes messages, closes "
                    + "them cleanly, and reports connect rates, failures by reason, latency percentiles and the cost of holding "
                    + "connections (bench and server). With --scenario subscribe the connections are Pusher subscribers and the "
                    + "bench publishes to their channels through the HTTP API, step by step. See docs/bench.md."
        },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:failures (failed + lost connections; subscribe: + not subscribed) within --max-failures (a "
                    + "failed publish step is reported, and is not one)",
            "1:more failures than --max-failures",
            "2:usage error",
            "3:the bench itself failed (a worker died or a deadline passed)"
        })
public final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(
            names = {"-n", "--connections"},
            defaultValue = "1000",
            paramLabel = "N",
            description = "Connections to open. Default small enough to run anywhere; set the count you mean to test.")
    int connections;

    @Option(
            names = {"-u", "--url"},
            defaultValue = "ws://127.0.0.1:8080/",
            paramLabel = "URL",
            converter = UrlConverter.class,
            description = "Target ws:// URL; repeat to spread connections round-robin over several. subscribe: a URL "
                    + "whose path is / gets the path /app/{--key}?protocol=7&client=throng-bench&version=1, as pusher-js "
                    + "asks. Default: where `throng serve` listens by default.")
    List<TargetUrl> urls;

    @Option(
            names = {"-r", "--rate"},
            defaultValue = "5000",
            paramLabel = "PER_SECOND",
            description = "Connections opened per second, over all workers. Default: what one server core accepts "
                    + "comfortably with a 4,096 backlog; faster ramps measure SYN-queue overflow, not holding.")
    double rate;

    @Option(
            names = "--warmup",
            defaultValue = "0",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "Time over which the connect rate climbs linearly from 0 to --rate. Default 0: full rate at "
                    + "once. Dozens of load and server JVMs that have just started compile their code while the first "
                    + "handshakes run; a warm-up keeps those handshakes from timing out.")
    Duration warmup;

    @Option(
            names = "--hold",
            defaultValue = "30s",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "How long to hold the connections once every attempt has resolved; subscribe with publish "
                    + "steps: the steps are the hold, and this is not used. Default: long enough for a steady state; use at "
                    + "least twice the server's ping interval to measure ping intervals.")
    Duration hold;

    @Option(
            names = "--connect-timeout",
            defaultValue = "10s",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "Budget for TCP connect plus the opening handshake; subscribe: plus every subscription "
                    + "acknowledged. Default: the server's handshake timeout.")
    Duration connectTimeout;

    @Option(
            names = "--close-timeout",
            defaultValue = "5s",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "How long to wait for the server's close frame and TCP close after sending ours (code 1000). "
                    + "Default: the server's close timeout.")
    Duration closeTimeout;

    @Option(
            names = "--ramp-timeout",
            defaultValue = "0",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "When the ramp stops issuing attempts if it has not finished; what is open is then held and "
                    + "reported, and the verdict fails. Default 0: connections / rate + the connect timeout + 60 s, so "
                    + "only a box that cannot keep the rate hits it.")
    Duration rampTimeout;

    @Option(
            names = "--close-rate",
            defaultValue = "0",
            paramLabel = "PER_SECOND",
            description = "Connections closed per second. Default 0: the same as --rate, so closing is as gentle as "
                    + "opening.")
    double closeRate;

    @Option(
            names = {"-s", "--scenario"},
            defaultValue = "idle",
            paramLabel = "SCENARIO",
            converter = ScenarioConverter.class,
            description = "idle (hold, answer pings), echo (send every --interval, time the echo), subscribe (Pusher "
                    + "subscribers; the bench publishes through the HTTP API and times publish -> receive). Default idle: "
                    + "holding is what Throng is for.")
    Scenario scenario;

    @Option(
            names = "--interval",
            defaultValue = "1s",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "echo: time between two messages of one connection. Default: 1 message/s per connection, "
                    + "already 1M messages/s at 1M connections.")
    Duration interval;

    @Option(
            names = "--size",
            defaultValue = "32",
            paramLabel = "BYTES",
            description = "echo: payload bytes per message (text >= 16, binary >= 8: the send time travels in the "
                    + "payload). Default: a typical small chat or ticker message.")
    int size;

    @Option(
            names = "--payload",
            defaultValue = "text",
            paramLabel = "TYPE",
            converter = PayloadConverter.class,
            description = "echo: text or binary frames. Default text: what browsers mostly send.")
    PayloadType payload;

    @Option(
            names = "--client-ping",
            defaultValue = "0",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "idle: each connection also pings the server this often and times the pong. Default 0 (off): "
                    + "the server pings; client pings only add traffic.")
    Duration clientPing;

    @Option(
            names = "--source",
            defaultValue = "0.0.0.0",
            paramLabel = "ADDRESSES",
            converter = SourceConverter.class,
            description = "Local IPv4 addresses to bind: ranges and lists, e.g. 127.0.0.2-127.0.0.40 or "
                    + "127.0.0.2,127.0.0.3; repeatable. Each address gives up to one connection per port of --ports. "
                    + "Default 0.0.0.0: the kernel picks the interface (ports are still chosen by the bench).")
    List<String> sources;

    @Option(
            names = "--ports",
            defaultValue = "1024-65535",
            paramLabel = "FIRST-LAST",
            converter = PortsConverter.class,
            description = "Local ports to bind on each source address, split among workers. Default: every "
                    + "unprivileged port; ports in use are skipped.")
    PortRange ports;

    @Option(
            names = {"-w", "--workers"},
            defaultValue = "0",
            paramLabel = "N",
            description =
                    "Worker processes. Default 0 (auto): the fewest whose shares fit 90%% of the open-files limit "
                            + "(read from /proc/self/limits).")
    int workers;

    @Option(
            names = "--io-threads",
            defaultValue = "1",
            paramLabel = "N",
            description =
                    "Event loop threads per worker. Default 1: many single-threaded workers spread over the cores "
                            + "better than a few threaded ones.")
    int ioThreads;

    @Option(
            names = "--transport",
            defaultValue = "auto",
            paramLabel = "NAME",
            description = "auto, epoll or nio. Default auto: epoll where it loads (less memory per socket), else NIO.")
    String transport;

    @Option(
            names = "--max-failures",
            defaultValue = "0",
            paramLabel = "COUNT|PERCENT%",
            converter = FailureBudgetConverter.class,
            description =
                    "Failed plus lost connections (subscribe: plus connections not subscribed) allowed before the "
                            + "exit status is 1: a count or a percentage of attempts. Default 0: a benchmark that loses connections "
                            + "measures the wrong thing.")
    FailureBudget maxFailures;

    @Option(
            names = "--report",
            paramLabel = "FILE",
            description = "Also write the report as JSON to FILE. Default: none.")
    Path report;

    @Option(
            names = "--server-pid",
            split = ",",
            paramLabel = "PID",
            description = "Server process ids to sample (RSS, CPU) for RSS per held connection and CPU per 100k idle "
                    + "connections (subscribe: and CPU per delivery in each step); comma-separated or repeated. Default: "
                    + "none.")
    List<Long> serverPids = new ArrayList<>();

    @Option(
            names = "--worker-jvm-option",
            paramLabel = "OPTION",
            description = "Extra JVM option for each worker (e.g. -Dio.netty.leakDetection.level=paranoid); "
                    + "repeatable. Default: none.")
    List<String> workerJvmOptions = new ArrayList<>();

    @Option(
            names = "--loader",
            defaultValue = "java",
            paramLabel = "java|hsload",
            converter = LoaderConverter.class,
            description = "What holds the connections: java (the bench's Netty workers, every scenario) or hsload "
                    + "(bench/hsload, C; --scenario subscribe with one subscription per connection): each worker "
                    + "runs one hsload process of up to 19,000 subscribers and reports what it counts. Default java: "
                    + "it needs nothing built; hsload costs the box a fraction of the CPU per delivery, so the "
                    + "subscribers stop being what limits a fan-out run on few cores.")
    Loader loader;

    @Option(
            names = "--hsload",
            defaultValue = "${env:THRONG_HSLOAD:-bench/hsload/target/hsload}",
            paramLabel = "PATH",
            description = "The hsload binary of --loader hsload. Default: THRONG_HSLOAD, else where "
                    + "bench/hsload/build.sh puts it, relative to the working directory (the repository's root, "
                    + "where the bench scripts run).")
    Path hsload;

    // The subscribe scenario. Every description starts with "subscribe:", which is what marks an option as this
    // scenario's (subscribeOnlyOptionsGiven).

    @Option(
            names = "--app-id",
            defaultValue = "app-id",
            paramLabel = "ID",
            description =
                    "subscribe: the app id of the HTTP API path /apps/{id}/events. Default: the development app "
                            + "of `throng serve` (and Soketi), so a server started without configuration needs none here either.")
    String appId;

    @Option(
            names = "--key",
            defaultValue = "app-key",
            paramLabel = "KEY",
            description = "subscribe: the app key: the WebSocket path /app/{key} and the auth_key of signed requests. "
                    + "Default: the development app's.")
    String key;

    @Option(
            names = "--secret",
            defaultValue = "app-secret",
            paramLabel = "SECRET",
            description = "subscribe: the app secret that signs the HTTP API requests. Default: the development app's "
                    + "(well known: for servers on loopback only).")
    String secret;

    @Option(
            names = "--api-url",
            paramLabel = "URL",
            converter = ApiUrlConverter.class,
            description = "subscribe: the HTTP API, http://host:port. Default: the first --url's host and port, where "
                    + "the gateway (and Soketi) serves both.")
    URI apiUrl;

    @Option(
            names = "--channels",
            defaultValue = "1",
            paramLabel = "C",
            description = "subscribe: public channels bench-0 ... bench-(C-1). Default 1: the widest fan-out, every "
                    + "subscriber on one channel.")
    int channels;

    @Option(
            names = "--subscriptions-per-client",
            defaultValue = "1",
            paramLabel = "K",
            description = "subscribe: channels each connection subscribes to (at most C), spread so each channel gets "
                    + "N*K/C subscribers. Default 1: one page, one channel.")
    int subscriptionsPerClient;

    @Option(
            names = "--event-size",
            defaultValue = "256",
            paramLabel = "BYTES",
            description = "subscribe: bytes of each event's data string, " + EventData.MIN_SIZE + "-"
                    + SubscribeSettings.MAX_EVENT_SIZE + " (the publish time and sequence travel in it; Pusher's 10 KB "
                    + "limit). Default: a small JSON notification.")
    int eventSize;

    @Option(
            names = "--event-name",
            defaultValue = "bench",
            paramLabel = "NAME",
            description = "subscribe: the published events' name (not pusher*, which Pusher reserves). Default: any "
                    + "such name does; this one says where the events come from.")
    String eventName;

    @Option(
            names = "--publish-steps",
            split = ",",
            paramLabel = "R",
            showDefaultValue = Visibility.NEVER,
            description = "subscribe: publish rates, events per second PER CHANNEL, one step each, in order; the run "
                    + "stops after the first step that fails (see --keep-going). Default: none: subscribe and hold for "
                    + "--hold, to measure what idle subscribers cost.")
    List<Double> publishSteps = new ArrayList<>();

    @Option(
            names = "--step-duration",
            defaultValue = "10s",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "subscribe: how long each step publishes (at least 1s). Default: long enough for a steady "
                    + "rate and a p99 of thousands of samples, short enough for nine steps in two minutes.")
    Duration stepDuration;

    @Option(
            names = "--publish-rate",
            paramLabel = "R",
            description = "subscribe: one step at R events/s per channel for --publish-duration, instead of "
                    + "--publish-steps (to confirm one rate for longer). Default: none.")
    Double publishRate;

    @Option(
            names = "--publish-duration",
            defaultValue = "10s",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "subscribe: the length of the --publish-rate step. Default: as --step-duration.")
    Duration publishDuration;

    @Option(
            names = "--step-gap",
            defaultValue = "2s",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description =
                    "subscribe: wait after a step's last response before counting its deliveries; later ones count "
                            + "as missing for the step. Default: twice the --max-p99 default, so a delivery missing then is late by "
                            + "any measure.")
    Duration stepGap;

    @Option(
            names = "--publish-warmup",
            defaultValue = "3s",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "subscribe: publish at the first step's rate this long before it, unjudged and counted "
                    + "apart; 0: none. Default: enough for the server's JIT and the publisher's connections, so the first "
                    + "step measures the server and not its start.")
    Duration publishWarmup;

    @Option(
            names = "--max-p99",
            defaultValue = "1s",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description =
                    "subscribe: a step passes only with its p99 publish -> receive latency below this (and nothing "
                            + "lost or out of sequence). Default: the pass mark of the fan-out benchmark (bench/fanout.md).")
    Duration maxP99;

    @Option(
            names = "--keep-going",
            description = "subscribe: run every step even after one failed. Default: stop at the first failing step; "
                    + "higher rates would only overload the server further.")
    boolean keepGoing;

    @Option(
            names = "--publish-connections",
            defaultValue = "4",
            paramLabel = "N",
            description = "subscribe: kept-alive HTTP/1.1 connections the publisher pipelines its requests on (1-64; a "
                    + "channel group's requests stay on one, to keep their order). Default: a few, so a server with several "
                    + "event loops reads them in parallel, at little cost to the box.")
    int publishConnections;

    @Option(
            names = "--publish-concurrency",
            defaultValue = "64",
            paramLabel = "N",
            description = "subscribe: HTTP requests in flight at most, over all publisher connections (at least "
                    + "--publish-connections, at most 4096), shared by the connections in use (one per channel "
                    + "group). Default: 16 per connection with 4 in use, thousands of requests a second at a few "
                    + "milliseconds each.")
    int publishConcurrency;

    @Option(
            names = "--request-timeout",
            defaultValue = "10s",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "subscribe: one HTTP request's budget; a slower one counts as failed (timeout). Default: as "
                    + "--connect-timeout: far beyond any healthy answer.")
    Duration requestTimeout;

    @Option(
            names = "--publish-after",
            defaultValue = "0",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "subscribe: hold the subscribers this long, once all are subscribed, before the warm-up or "
                    + "the first step (a held population that then receives its events, as bench/cluster-run.sh's "
                    + "million). Default 0: publish at once.")
    Duration publishAfter;

    @Option(
            names = "--broker-pid",
            split = ",",
            paramLabel = "PID",
            description = "subscribe: processes the server relies on (its Redis), whose CPU each step reports apart "
                    + "from the server's, per delivery; comma-separated or repeated. Default: none.")
    List<Long> brokerPids = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        try {
            return new Coordinator(
                            settings(),
                            spec.commandLine().getOut(),
                            spec.commandLine().getErr())
                    .run();
        } catch (IllegalArgumentException e) { // a setting BenchSettings refuses, or a run that cannot be planned
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    /**
     * The validated settings these options describe.
     *
     * @throws IllegalArgumentException naming the option whose value, or combination with another, is refused
     */
    BenchSettings settings() {
        List<String> addresses = new ArrayList<>();
        for (String source : sources) {
            addresses.addAll(SourceAddresses.parse(source));
        }
        List<String> misplaced = subscribeOnlyOptionsGiven();
        if (scenario != Scenario.SUBSCRIBE && !misplaced.isEmpty()) {
            throw new IllegalArgumentException(
                    String.join(", ", misplaced) + (misplaced.size() == 1 ? " applies" : " apply")
                            + " to the subscribe scenario only (--scenario subscribe)");
        }
        return BenchSettings.builder()
                .connections(connections)
                .urls(
                        scenario == Scenario.SUBSCRIBE
                                ? urls.stream().map(this::pusherPath).toList()
                                : urls)
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
                .loader(loader)
                .hsload(hsload)
                .subscribe(scenario == Scenario.SUBSCRIBE ? subscribeSettings() : null)
                .build();
    }

    /** The subscribe scenario's settings ({@link SubscribeSettings} checks each value). */
    private SubscribeSettings subscribeSettings() {
        List<Double> steps = publishSteps;
        Duration duration = stepDuration;
        if (publishRate != null) {
            if (given("--publish-steps") || given("--step-duration")) {
                throw new IllegalArgumentException("--publish-rate is one step of --publish-duration: give it or "
                        + "--publish-steps with --step-duration, not both");
            }
            steps = List.of(publishRate);
            duration = publishDuration;
        } else if (given("--publish-duration")) {
            throw new IllegalArgumentException("--publish-duration is the length of the --publish-rate step; "
                    + "--publish-steps take --step-duration");
        }
        return SubscribeSettings.builder()
                .appId(appId)
                .key(key)
                .secret(secret)
                .apiUrl(apiUrl)
                .channels(channels)
                .subscriptionsPerClient(subscriptionsPerClient)
                .eventSize(eventSize)
                .eventName(eventName)
                .steps(steps)
                .stepDuration(duration)
                .stepGap(stepGap)
                .warmup(publishWarmup)
                .maxP99(maxP99)
                .stopOnFail(!keepGoing)
                .publishConnections(publishConnections)
                .publishConcurrency(publishConcurrency)
                .requestTimeout(requestTimeout)
                .publishAfter(publishAfter)
                .brokerPids(brokerPids)
                .build();
    }

    /** The Pusher path pusher-js connects to, for a URL given with the path {@code /}. */
    private TargetUrl pusherPath(TargetUrl url) {
        return url.path().equals("/") ? new TargetUrl(url.host(), url.port(), String.format(PUSHER_PATH, key)) : url;
    }

    private static final String PUSHER_PATH = "/app/%s?protocol=7&client=throng-bench&version=1";

    /** The subscribe scenario's options given on this command line, by their longest name. */
    List<String> subscribeOnlyOptionsGiven() {
        List<String> given = new ArrayList<>();
        for (OptionSpec option : spec.options()) {
            if (option.description().length > 0
                    && option.description()[0].startsWith("subscribe: ")
                    && given(option.longestName())) {
                given.add(option.longestName());
            }
        }
        return given;
    }

    private boolean given(String option) {
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        return parsed != null && parsed.hasMatchedOption(option);
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

    /** {@code java} or {@code hsload} ({@link Loader}). */
    static final class LoaderConverter implements CommandLine.ITypeConverter<Loader> {
        @Override
        public Loader convert(String value) {
            return parsed(value, Loader::parse);
        }
    }

    /** A {@code ws://} URL ({@link TargetUrl}). */
    static final class UrlConverter implements CommandLine.ITypeConverter<TargetUrl> {
        @Override
        public TargetUrl convert(String value) {
            return parsed(value, TargetUrl::parse);
        }
    }

    /** The HTTP API's base, {@code http://host:port} ({@link SubscribeSettings} checks the scheme and host). */
    static final class ApiUrlConverter implements CommandLine.ITypeConverter<URI> {
        @Override
        public URI convert(String value) {
            return parsed(value, URI::create);
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
