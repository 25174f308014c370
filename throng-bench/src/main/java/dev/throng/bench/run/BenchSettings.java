package dev.throng.bench.run;

import dev.throng.bench.plan.FailureBudget;
import dev.throng.bench.plan.Loader;
import dev.throng.bench.plan.PayloadType;
import dev.throng.bench.plan.PortRange;
import dev.throng.bench.plan.Scenario;
import dev.throng.bench.plan.TargetUrl;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A whole run's configuration, validated when built so a bad run fails before any process starts. The defaults and
 * their reasons are those of {@code throng bench}'s options (and docs/bench.md).
 *
 * <p>{@code loader} says what holds the connections ({@link Loader}); {@code hsload} is the hsload binary that
 * {@link Loader#HSLOAD} runs (whether it is there is checked when the run starts, {@code Coordinator#run}).
 */
public record BenchSettings(
        int connections,
        List<TargetUrl> urls,
        double rate,
        Duration warmup,
        Duration hold,
        Duration connectTimeout,
        Duration closeTimeout,
        double closeRate,
        Duration rampTimeout,
        Scenario scenario,
        Duration interval,
        int messageSize,
        PayloadType payload,
        Duration clientPing,
        List<String> sources,
        PortRange ports,
        int workers,
        int ioThreads,
        String transport,
        FailureBudget maxFailures,
        Path report,
        List<Long> serverPids,
        List<String> workerJvmOptions,
        SubscribeSettings subscribe,
        Loader loader,
        Path hsload) {

    /**
     * The hsload binary when neither {@code --hsload} nor {@code THRONG_HSLOAD} names one: where bench/hsload/build.sh
     * puts it, relative to the working directory (the repository's root, where the bench scripts run).
     */
    public static final Path DEFAULT_HSLOAD = Path.of("bench", "hsload", "target", "hsload");
    /** Step numbers hsload keeps apart (its STEP_MAX): the steps plus the warm-up must fit. */
    public static final int HSLOAD_MAX_STEPS = 64;

    /** Far beyond one box, but catches a stray digit before 60 processes start. */
    public static final int MAX_CONNECTIONS = 10_000_000;
    /** Messages above this are a throughput test, not a connection test; the client streams any size anyway. */
    public static final int MAX_MESSAGE_SIZE = 16 << 20;

    public BenchSettings {
        urls = List.copyOf(urls);
        sources = List.copyOf(sources);
        serverPids = List.copyOf(serverPids);
        workerJvmOptions = List.copyOf(workerJvmOptions);
        Objects.requireNonNull(scenario, "scenario");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(ports, "ports");
        Objects.requireNonNull(maxFailures, "maxFailures");
        check(
                connections >= 1 && connections <= MAX_CONNECTIONS,
                "--connections must be 1-" + MAX_CONNECTIONS + ", got " + connections);
        check(!urls.isEmpty(), "at least one --url is needed");
        check(rate > 0, "--rate must be positive, got " + rate);
        check(closeRate >= 0, "--close-rate must be positive (or 0: same as --rate), got " + closeRate);
        check(!hold.isNegative(), "--hold must not be negative");
        check(!warmup.isNegative(), "--warmup must not be negative");
        check(connectTimeout.toMillis() > 0, "--connect-timeout must be positive");
        check(closeTimeout.toMillis() > 0, "--close-timeout must be positive");
        check(!rampTimeout.isNegative(), "--ramp-timeout must not be negative (0: automatic)");
        check(!clientPing.isNegative(), "--client-ping must not be negative");
        check(sources.size() >= 1, "at least one --source address is needed");
        check(workers >= 0, "--workers must be 0 (auto) or positive, got " + workers);
        check(ioThreads >= 1, "--io-threads must be at least 1, got " + ioThreads);
        check(List.of("auto", "epoll", "nio").contains(transport), "--transport must be auto, epoll or nio");
        if (scenario == Scenario.ECHO) {
            check(interval.toMillis() > 0, "--interval must be at least 1ms for the echo scenario");
            int stamp = payload == PayloadType.TEXT ? 16 : 8;
            check(
                    messageSize >= stamp && messageSize <= MAX_MESSAGE_SIZE,
                    "--size must be " + stamp + "-"
                            + MAX_MESSAGE_SIZE + " for " + payload.name().toLowerCase() + " payloads (the first "
                            + stamp
                            + " bytes carry the send time), got " + messageSize);
            check(
                    clientPing.isZero(),
                    "--client-ping applies to the idle scenario; echo traffic already keeps " + "connections busy");
        }
        if (scenario == Scenario.SUBSCRIBE) {
            Objects.requireNonNull(subscribe, "subscribe");
            check(
                    clientPing.isZero(),
                    "--client-ping applies to the idle scenario; subscribers send pusher:ping as " + "pusher-js does");
        } else {
            check(subscribe == null, "subscribe settings apply to the subscribe scenario only");
        }
        Objects.requireNonNull(loader, "loader");
        Objects.requireNonNull(hsload, "hsload");
        if (loader == Loader.HSLOAD) {
            check(
                    scenario == Scenario.SUBSCRIBE,
                    "--loader hsload holds Pusher subscribers: the subscribe scenario only");
            check(
                    subscribe.plan().perClient() == 1,
                    "--loader hsload subscribes each connection to one channel: --subscriptions-per-client must be 1");
            check(
                    subscribe.stepSlots() <= HSLOAD_MAX_STEPS,
                    "--loader hsload counts at most " + HSLOAD_MAX_STEPS + " steps (the warm-up included), got "
                            + subscribe.stepSlots());
        }
    }

    /** Slack of the automatic ramp timeout, for a box that keeps the rate only roughly. */
    static final Duration RAMP_SLACK = Duration.ofSeconds(60);

    /**
     * The ramp timeout in effect: {@link #rampTimeout} or, when 0, the ramp's nominal length
     * ({@code connections / rate} plus half the warm-up) plus the connect timeout plus {@link #RAMP_SLACK}.
     */
    public Duration effectiveRampTimeout() {
        if (!rampTimeout.isZero()) {
            return rampTimeout;
        }
        return Duration.ofNanos((long) (connections / rate * 1e9))
                .plus(warmup.dividedBy(2))
                .plus(connectTimeout)
                .plus(RAMP_SLACK);
    }

    /** The close rate in effect: {@link #closeRate} or, when 0, {@link #rate}. */
    public double effectiveCloseRate() {
        return closeRate > 0 ? closeRate : rate;
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link BenchSettings}; starts from the command's defaults. */
    public static final class Builder {
        private int connections = 1000;
        private List<TargetUrl> urls = List.of(TargetUrl.parse("ws://127.0.0.1:8080/"));
        private double rate = 5000;
        private Duration warmup = Duration.ZERO;
        private Duration hold = Duration.ofSeconds(30);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration closeTimeout = Duration.ofSeconds(5);
        private double closeRate;
        private Duration rampTimeout = Duration.ZERO;
        private Scenario scenario = Scenario.IDLE;
        private Duration interval = Duration.ofSeconds(1);
        private int messageSize = 32;
        private PayloadType payload = PayloadType.TEXT;
        private Duration clientPing = Duration.ZERO;
        private List<String> sources = List.of("0.0.0.0");
        private PortRange ports = new PortRange(1024, 65535);
        private int workers;
        private int ioThreads = 1;
        private String transport = "auto";
        private FailureBudget maxFailures = FailureBudget.NONE;
        private Path report;
        private List<Long> serverPids = List.of();
        private List<String> workerJvmOptions = List.of();
        private SubscribeSettings subscribe;
        private Loader loader = Loader.JAVA;
        private Path hsload = DEFAULT_HSLOAD;

        private Builder() {}

        public Builder connections(int v) {
            connections = v;
            return this;
        }

        public Builder urls(List<TargetUrl> v) {
            urls = v;
            return this;
        }

        public Builder rate(double v) {
            rate = v;
            return this;
        }

        public Builder warmup(Duration v) {
            warmup = v;
            return this;
        }

        public Builder hold(Duration v) {
            hold = v;
            return this;
        }

        public Builder connectTimeout(Duration v) {
            connectTimeout = v;
            return this;
        }

        public Builder closeTimeout(Duration v) {
            closeTimeout = v;
            return this;
        }

        public Builder closeRate(double v) {
            closeRate = v;
            return this;
        }

        public Builder rampTimeout(Duration v) {
            rampTimeout = v;
            return this;
        }

        public Builder scenario(Scenario v) {
            scenario = v;
            return this;
        }

        public Builder interval(Duration v) {
            interval = v;
            return this;
        }

        public Builder messageSize(int v) {
            messageSize = v;
            return this;
        }

        public Builder payload(PayloadType v) {
            payload = v;
            return this;
        }

        public Builder clientPing(Duration v) {
            clientPing = v;
            return this;
        }

        public Builder sources(List<String> v) {
            sources = v;
            return this;
        }

        public Builder ports(PortRange v) {
            ports = v;
            return this;
        }

        public Builder workers(int v) {
            workers = v;
            return this;
        }

        public Builder ioThreads(int v) {
            ioThreads = v;
            return this;
        }

        public Builder transport(String v) {
            transport = v;
            return this;
        }

        public Builder maxFailures(FailureBudget v) {
            maxFailures = v;
            return this;
        }

        public Builder report(Path v) {
            report = v;
            return this;
        }

        public Builder serverPids(List<Long> v) {
            serverPids = v;
            return this;
        }

        public Builder workerJvmOptions(List<String> v) {
            workerJvmOptions = v;
            return this;
        }

        /** The subscribe scenario's settings; its defaults ({@link SubscribeSettings#builder()}) when not set. */
        public Builder subscribe(SubscribeSettings v) {
            subscribe = v;
            return this;
        }

        public Builder loader(Loader v) {
            loader = v;
            return this;
        }

        public Builder hsload(Path v) {
            hsload = v;
            return this;
        }

        public BenchSettings build() {
            SubscribeSettings sub = scenario != Scenario.SUBSCRIBE
                    ? null
                    : subscribe != null
                            ? subscribe
                            : SubscribeSettings.builder().build();
            return new BenchSettings(
                    connections,
                    urls,
                    rate,
                    warmup,
                    hold,
                    connectTimeout,
                    closeTimeout,
                    closeRate,
                    rampTimeout,
                    scenario,
                    interval,
                    messageSize,
                    payload,
                    clientPing,
                    sources,
                    ports,
                    workers,
                    ioThreads,
                    transport,
                    maxFailures,
                    report,
                    serverPids,
                    workerJvmOptions,
                    sub,
                    loader,
                    hsload);
        }
    }
}
