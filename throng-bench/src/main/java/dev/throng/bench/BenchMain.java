package dev.throng.bench;

import dev.throng.bench.plan.FailureBudget;
import dev.throng.bench.plan.PortRange;
import dev.throng.bench.plan.Scenario;
import dev.throng.bench.plan.SourceAddresses;
import dev.throng.bench.plan.TargetUrl;
import dev.throng.bench.run.BenchSettings;
import dev.throng.bench.run.Coordinator;
import dev.throng.bench.run.SubscribeSettings;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A plain command line for the bench library, for the subscribe scenario until {@code throng bench} (throng-cli's
 * {@code BenchCommand}) gains its options: the same option names as {@code throng bench} for what they share, plus
 * the Pusher ones. bench/fanout-run.sh runs it as {@code java -cp throng.jar dev.throng.bench.BenchMain …}.
 *
 * <pre>
 * java -cp throng-cli/target/throng.jar dev.throng.bench.BenchMain --scenario subscribe \
 *   --url ws://127.0.0.1:6001 --connections 15000 --channels 1 --event-size 256 \
 *   --publish-steps 1,2,4,8,16,32,64 --server-pid 1234 --report fanout.json
 * </pre>
 *
 * Exit status as {@code throng bench}'s: 0 when connection and subscription failures stayed within
 * {@code --max-failures}, 1 when not, 2 for a usage error, 3 when the bench itself failed.
 */
public final class BenchMain {

    private static final String APP_PATH = "/app/%s?protocol=7&client=throng-bench&version=1";

    private final BenchSettings.Builder bench = BenchSettings.builder();
    private final SubscribeSettings.Builder subscribe = SubscribeSettings.builder();
    private final List<TargetUrl> urls = new ArrayList<>();
    private final List<String> sources = new ArrayList<>();
    private final List<Long> serverPids = new ArrayList<>();
    private final List<String> jvmOptions = new ArrayList<>();
    private String key = "app-key";
    private Scenario scenario = Scenario.IDLE;
    private Double publishRate;
    private Duration publishDuration;
    private final Map<String, Option> options = new LinkedHashMap<>();

    private record Option(String names, String label, String help, Consumer<String> apply) {
    }

    private BenchMain() {
        option("-n,--connections", "N", "connections to open (default 1000)", v -> bench.connections(integer(v)));
        option("-u,--url", "URL", "ws:// URL, repeatable (default ws://127.0.0.1:8080/). subscribe: a URL with path / "
            + "becomes /app/{key}?protocol=7&client=throng-bench&version=1", v -> urls.add(TargetUrl.parse(v)));
        option("-r,--rate", "PER_SECOND", "connections opened per second (default 5000)",
            v -> bench.rate(decimal(v)));
        option("--warmup", "DURATION", "the connect rate climbs from 0 over this (default 0)",
            v -> bench.warmup(duration(v)));
        option("--hold", "DURATION", "hold once connected (default 30s); subscribe with steps: the steps are the hold",
            v -> bench.hold(duration(v)));
        option("--connect-timeout", "DURATION", "TCP connect + handshake budget; subscribe: + all subscriptions "
            + "acknowledged (default 10s)", v -> bench.connectTimeout(duration(v)));
        option("--close-timeout", "DURATION", "wait for the server's close (default 5s)",
            v -> bench.closeTimeout(duration(v)));
        option("--close-rate", "PER_SECOND", "connections closed per second (default: --rate)",
            v -> bench.closeRate(decimal(v)));
        option("--ramp-timeout", "DURATION", "stop the ramp after this (default 0: automatic)",
            v -> bench.rampTimeout(duration(v)));
        option("-s,--scenario", "SCENARIO", "idle, echo or subscribe (default idle)",
            v -> scenario = Scenario.valueOf(v.toUpperCase(Locale.ROOT)));
        option("--interval", "DURATION", "echo: time between messages (default 1s)", v -> bench.interval(duration(v)));
        option("--size", "BYTES", "echo: message size (default 32)", v -> bench.messageSize(integer(v)));
        option("--source", "ADDRESSES", "local addresses to bind, e.g. 127.0.0.2-127.0.0.9; repeatable "
            + "(default 0.0.0.0)", v -> sources.addAll(SourceAddresses.parse(v)));
        option("--ports", "FIRST-LAST", "local ports per source address (default 1024-65535)",
            v -> bench.ports(PortRange.parse(v)));
        option("-w,--workers", "N", "worker processes (default 0: as the open-files limit needs)",
            v -> bench.workers(integer(v)));
        option("--io-threads", "N", "event loops per worker (default 1)", v -> bench.ioThreads(integer(v)));
        option("--transport", "NAME", "auto, epoll or nio (default auto)", v -> bench.transport(v));
        option("--max-failures", "COUNT|PERCENT%", "failed + lost + not subscribed allowed (default 0)",
            v -> bench.maxFailures(FailureBudget.parse(v)));
        option("--report", "FILE", "also write the JSON report here", v -> bench.report(Path.of(v)));
        option("--server-pid", "PID[,PID…]", "server processes to sample (RSS, CPU; CPU per delivery per step)",
            v -> Arrays.stream(v.split(",")).map(String::trim).map(Long::parseLong).forEach(serverPids::add));
        option("--worker-jvm-option", "OPTION", "extra JVM option for each worker; repeatable", jvmOptions::add);
        // The subscribe scenario.
        option("--app-id", "ID", "subscribe: the app id of the HTTP API path /apps/{id}/events (default app-id, the "
            + "development app of Soketi and Throng)", v -> subscribe.appId(v));
        option("--key", "KEY", "subscribe: the app key (default app-key)", v -> {
            key = v;
            subscribe.key(v);
        });
        option("--secret", "SECRET", "subscribe: the app secret that signs requests (default app-secret)",
            v -> subscribe.secret(v));
        option("--api-url", "URL", "subscribe: the HTTP API, http://host:port (default: the first --url's host and "
            + "port)", v -> subscribe.apiUrl(URI.create(v)));
        option("--channels", "C", "subscribe: channels bench-0 … bench-(C-1) (default 1)",
            v -> subscribe.channels(integer(v)));
        option("--subscriptions-per-client", "K", "subscribe: channels per connection, spread so each channel gets "
            + "N*K/C subscribers (default 1)", v -> subscribe.subscriptionsPerClient(integer(v)));
        option("--event-size", "BYTES", "subscribe: bytes of each event's data string (default 256; 64-10240)",
            v -> subscribe.eventSize(integer(v)));
        option("--event-name", "NAME", "subscribe: the published events' name (default bench)",
            v -> subscribe.eventName(v));
        option("--publish-steps", "R1,R2,…", "subscribe: publish rates, events per second PER CHANNEL, one step each, "
            + "in order (default none: subscribe and hold)", v -> subscribe.steps(
                Arrays.stream(v.split(",")).map(String::trim).filter(x -> !x.isEmpty()).map(BenchMain::decimal)
                    .toList()));
        option("--step-duration", "DURATION", "subscribe: how long each step publishes (default 10s)",
            v -> subscribe.stepDuration(duration(v)));
        option("--publish-rate", "R", "subscribe: one step at R events/s per channel (instead of --publish-steps)",
            v -> publishRate = decimal(v));
        option("--publish-duration", "DURATION", "subscribe: the length of the --publish-rate step (default 10s)",
            v -> publishDuration = duration(v));
        option("--step-gap", "DURATION", "subscribe: wait after a step's last response before counting its "
            + "deliveries (default 2s)", v -> subscribe.stepGap(duration(v)));
        option("--publish-warmup", "DURATION", "subscribe: publish at the first step's rate this long before it, "
            + "unjudged (JIT, connections; default 3s; 0: none)", v -> subscribe.warmup(duration(v)));
        option("--max-p99", "DURATION", "subscribe: a step passes only with p99 publish-to-receive below this "
            + "(default 1s)", v -> subscribe.maxP99(duration(v)));
        option("--keep-going", "", "subscribe: run every step even after one failed (default: stop at the first)",
            v -> subscribe.stopOnFail(false));
        option("--publish-connections", "N", "subscribe: kept-alive HTTP/1.1 connections, requests pipelined on "
            + "them (default 4)", v -> subscribe.publishConnections(integer(v)));
        option("--publish-concurrency", "N", "subscribe: HTTP requests in flight at most, over all connections "
            + "(default 64)", v -> subscribe.publishConcurrency(integer(v)));
        option("--request-timeout", "DURATION", "subscribe: one HTTP request's budget (default 10s)",
            v -> subscribe.requestTimeout(duration(v)));
    }

    private void option(String names, String label, String help, Consumer<String> apply) {
        Option o = new Option(names, label, help, apply);
        for (String name : names.split(",")) {
            options.put(name, o);
        }
    }

    public static void main(String[] args) throws Exception {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        System.exit(new BenchMain().run(args, out, err));
    }

    int run(String[] args, PrintWriter out, PrintWriter err) throws Exception {
        BenchSettings settings;
        try {
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (arg.equals("-h") || arg.equals("--help")) {
                    usage(out);
                    return Coordinator.EXIT_OK;
                }
                String value = null;
                int eq = arg.indexOf('=');
                if (arg.startsWith("--") && eq > 0) {
                    value = arg.substring(eq + 1);
                    arg = arg.substring(0, eq);
                }
                Option o = options.get(arg);
                if (o == null) {
                    throw new IllegalArgumentException("unknown option " + arg + " (--help lists them)");
                }
                if (o.label().isEmpty()) {
                    o.apply().accept("");
                    continue;
                }
                if (value == null) {
                    if (++i == args.length) {
                        throw new IllegalArgumentException(arg + " needs a value: " + o.label());
                    }
                    value = args[i];
                }
                try {
                    o.apply().accept(value);
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException(arg + " " + value + ": " + e.getMessage(), e);
                }
            }
            settings = settings();
        } catch (IllegalArgumentException e) {
            err.println("throng bench: " + e.getMessage());
            return Coordinator.EXIT_USAGE;
        }
        try {
            return new Coordinator(settings, out, err).run();
        } catch (IllegalArgumentException e) { // a run that cannot be planned
            err.println("throng bench: " + e.getMessage());
            return Coordinator.EXIT_USAGE;
        }
    }

    private BenchSettings settings() {
        bench.scenario(scenario);
        if (scenario == Scenario.SUBSCRIBE) {
            if (publishRate != null) {
                subscribe.steps(List.of(publishRate));
                subscribe.stepDuration(publishDuration != null ? publishDuration : Duration.ofSeconds(10));
            }
            bench.subscribe(subscribe.build());
        }
        List<TargetUrl> targets = urls.isEmpty() ? List.of(TargetUrl.parse("ws://127.0.0.1:8080/")) : urls;
        if (scenario == Scenario.SUBSCRIBE) {
            targets = targets.stream().map(u -> u.path().equals("/")
                ? new TargetUrl(u.host(), u.port(), String.format(APP_PATH, key)) : u).toList();
        }
        bench.urls(targets);
        if (!sources.isEmpty()) {
            bench.sources(sources);
        }
        return bench.serverPids(serverPids).workerJvmOptions(jvmOptions).build();
    }

    private void usage(PrintWriter out) {
        out.println("Usage: java -cp throng.jar dev.throng.bench.BenchMain [OPTIONS]");
        out.println("The bench's command line for the subscribe scenario (Pusher channels), until `throng bench` has "
            + "its options.");
        out.println("subscribe: connect to /app/{key}, wait for pusher:connection_established, subscribe to K of C "
            + "channels, then publish");
        out.println("through POST /apps/{id}/events (signed) at each step's rate and time publish -> receive from "
            + "the event data.");
        out.println();
        options.values().stream().distinct().forEach(o -> out.printf("  %-28s %s%n",
            o.names().replace(",", ", ") + (o.label().isEmpty() ? "" : " " + o.label()), o.help()));
    }

    private static int integer(String v) {
        return Integer.parseInt(v.trim().replace("_", "").replace(",", ""));
    }

    private static double decimal(String v) {
        return Double.parseDouble(v.trim());
    }

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)?");

    /** {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}; a bare number is seconds. */
    static Duration duration(String v) {
        Matcher m = DURATION.matcher(v.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a duration (e.g. 500ms, 10s, 2m): " + v);
        }
        double n = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        double millis = switch (unit) {
            case "ms" -> n;
            case "m" -> n * 60_000;
            case "h" -> n * 3_600_000;
            default -> n * 1000;
        };
        return Duration.ofMillis(Math.round(millis));
    }
}
