package dev.throng.cli;

import dev.throng.core.ServerConfig;
import dev.throng.core.TransportKind;
import dev.throng.core.codec.MessageDeflate;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code throng serve}: runs a WebSocket server that echoes every message, in this process or as supervised worker
 * processes sharing the port ({@code --workers}). The options that set a {@link ServerConfig} value default to
 * ServerConfig's own defaults ({@link ServerConfigDefaults}), so each is stated once, with its reason, in the builder.
 */
@Command(
    name = "serve",
    defaultValueProvider = ServeCommand.ServerConfigDefaults.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    mixinStandardHelpOptions = true,
    description = {"Runs a WebSocket server that echoes every message (connect any WebSocket client to try it).",
        "SIGTERM or SIGINT drains: no new connections, open ones closed with 1001 spread over --drain-window, "
            + "then exit 0; a second signal exits at once."})
public final class ServeCommand implements Callable<Integer> {
    @Option(names = "--host", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", description = "Port to bind (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--workers", defaultValue = "1", paramLabel = "N|auto", converter = WorkersConverter.class,
        description = "Server processes sharing the port with SO_REUSEPORT, supervised by this one; 'auto' derives "
            + "it from --max-connections and the open-files limit (default: ${DEFAULT-VALUE}).")
    String workers;

    @Option(names = "--max-connections", defaultValue = "0", paramLabel = "N",
        description = "Open connections in total (split over workers, each taking its share plus a margin for "
            + "the kernel's uneven spread); over it, upgrades get 503 with Retry-After. 0: no cap but the open-files "
            + "limit (default: ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--max-connections-per-address", paramLabel = "N",
        description = "Open connections per client IP, per worker; over it, 429. 0: no cap (default: "
            + "${DEFAULT-VALUE}).")
    int maxConnectionsPerAddress;

    @Option(names = "--handshakes-per-second", defaultValue = "0", paramLabel = "N",
        description = "Upgrades per second in total (split over workers); over it, 503. 0: no limit (default).")
    int handshakesPerSecond;

    @Option(names = "--ping-interval", converter = DurationConverter.class,
        description = "Server ping interval; a peer silent for a whole interval after a ping is closed. 0: off "
            + "(default: ${DEFAULT-VALUE}).")
    Duration pingInterval;

    @Option(names = "--idle-timeout", converter = DurationConverter.class,
        description = "Close connections that send no message for this long. 0: off (default: ${DEFAULT-VALUE}).")
    Duration idleTimeout;

    @Option(names = "--max-frame-size", converter = SizeConverter.class,
        description = "Largest frame payload; larger: close 1009 (default: ${DEFAULT-VALUE}).")
    int maxFrameSize;

    @Option(names = "--max-message-size", converter = SizeConverter.class,
        description = "Largest message, inflated; larger: close 1009 (default: ${DEFAULT-VALUE}).")
    int maxMessageSize;

    @Option(names = "--max-outbound", converter = SizeConverter.class,
        description = "Outbound bytes a connection may buffer before it is closed with 1013 (default: "
            + "${DEFAULT-VALUE}).")
    int maxOutbound;

    @Option(names = "--memory-budget", paramLabel = "SIZE|auto", converter = BudgetConverter.class,
        defaultValue = "auto",
        description = "Bytes in flight a server process holds at most (partial and inflated messages, outbound "
            + "queues): near it, connections sending large frames wait to be read. auto: 16m, or three of the "
            + "largest message when that is more; the JVM's direct memory is sized to match (default: "
            + "${DEFAULT-VALUE}).")
    long memoryBudget;

    @Option(names = "--loop-stall-timeout", converter = DurationConverter.class,
        description = "An event loop silent this long makes /healthz answer 503 and the process exit with 70, to be "
            + "restarted. 0: off (default: ${DEFAULT-VALUE}).")
    Duration loopStallTimeout;

    @Option(names = "--no-compression", description = "Decline permessage-deflate (default: accepted).")
    boolean noCompression;

    @Option(names = "--path", description = "The only path that upgrades (default: any path).")
    String path;

    @Option(names = "--origin", paramLabel = "ORIGIN",
        description = "An allowed Origin (repeatable); others get 403 (default: any origin).")
    List<String> origins = new ArrayList<>();

    @Option(names = "--subprotocol", paramLabel = "NAME", description = "A subprotocol to accept (repeatable).")
    List<String> subprotocols = new ArrayList<>();

    @Option(names = "--handshake-timeout", converter = DurationConverter.class,
        description = "Time for a client to send its upgrade request; slower: 408 (default: ${DEFAULT-VALUE}).")
    Duration handshakeTimeout;

    @Option(names = "--drain-window", defaultValue = "10s", converter = DurationConverter.class,
        description = "On SIGTERM, close connections with 1001 spread over this window (default: ${DEFAULT-VALUE}).")
    Duration drainWindow;

    @Option(names = "--backlog", description = "Accept backlog (default: ${DEFAULT-VALUE}).")
    int backlog;

    @Option(names = "--transport", paramLabel = "auto|epoll|nio", converter = TransportConverter.class,
        description = "Netty transport (default: ${DEFAULT-VALUE}: epoll where it loads, else NIO).")
    TransportKind transport;

    @Option(names = "--io-threads", defaultValue = "0", paramLabel = "N",
        description = "Event loop threads per process. 0: one per core, or 1 per worker when workers >= cores.")
    int ioThreads;

    @Option(names = "--reuse-port", description = "Set SO_REUSEPORT (implied for workers).")
    boolean reusePort;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        long openFiles = WorkerPlan.openFilesLimit();
        int workerCount;
        ServerConfig config;
        try {
            checkOwnOptions();
            workerCount = workerCount(openFiles);
            config = config(workerCount, openFiles);
        } catch (IllegalArgumentException e) { // ServerConfig's validation, or no worker count fits
            throw new ParameterException(spec.commandLine(), "invalid configuration: " + inOptionNames(e.getMessage()),
                e);
        }
        if (workerCount > 1) {
            return new Supervisor(new WorkerArgs(config, drainWindow), workerCount).run();
        }
        return ServerProcess.run(config, drainWindow);
    }

    /**
     * The values ServerConfig never sees as given: totals the workers split, a per-worker count whose 0 means
     * automatic, and the drain window.
     */
    private void checkOwnOptions() {
        check(maxConnections >= 0, "--max-connections must be >= 0 (0: no cap), got " + maxConnections);
        check(handshakesPerSecond >= 0, "--handshakes-per-second must be >= 0 (0: no limit), got "
            + handshakesPerSecond);
        check(ioThreads >= 0, "--io-threads must be >= 0 (0: automatic), got " + ioThreads);
        check(!drainWindow.isNegative(), "--drain-window must not be negative, got "
            + DurationConverter.format(drainWindow));
        long largestFrame = MessageDeflate.maxCompressedSize(maxFrameSize);
        check(memoryBudget == 0 || memoryBudget >= largestFrame, "--memory-budget " + SizeConverter.format(memoryBudget)
            + " cannot hold the largest frame --max-frame-size allows (" + largestFrame + " B compressed); give at "
            + "least that, or auto");
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /**
     * {@code message} from ServerConfig's validation with the settings it names spelt as the options that set them:
     * "maxMessageSize (1048576) must be at least maxFrameSize (2097152)" becomes "--max-message-size (1048576) must
     * be at least --max-frame-size (2097152)". A setting no option sets keeps its name.
     */
    String inOptionNames(String message) {
        Map<String, String> options = new HashMap<>();
        for (OptionSpec option : spec.options()) {
            options.put(camelCase(option.longestName()), option.longestName());
        }
        options.put("maxOutboundBytes", "--max-outbound");
        options.put("timeout", "--handshake-timeout");
        options.put("subprotocols", "--subprotocol");
        Pattern names = Pattern.compile("\\b(?:[a-z]+\\.)?(" + String.join("|", options.keySet()) + ")\\b");
        return names.matcher(message).replaceAll(m -> Matcher.quoteReplacement(options.get(m.group(1))));
    }

    /** {@code --max-frame-size} to {@code maxFrameSize}. */
    private static String camelCase(String option) {
        StringBuilder name = new StringBuilder();
        boolean upper = false;
        for (char c : option.replaceFirst("^-+", "").toCharArray()) {
            if (c == '-') {
                upper = true;
            } else {
                name.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return name.toString();
    }

    /** The server processes these options ask for under an open-files limit of {@code openFiles}. */
    int workerCount(long openFiles) {
        return WorkerPlan.workerCount(workers, maxConnections, openFiles);
    }

    /**
     * The configuration of one server process, when {@code workerCount} processes share the load under an open-files
     * limit of {@code openFiles} each.
     */
    ServerConfig config(int workerCount, long openFiles) {
        int cores = Runtime.getRuntime().availableProcessors();
        int threads = ioThreads > 0 ? ioThreads : Math.max(1, cores / workerCount);
        return ServerConfig.builder()
            .host(host)
            .port(port)
            .transport(transport)
            .ioThreads(threads)
            .backlog(backlog)
            .reusePort(reusePort || workerCount > 1)
            .path(path)
            .maxFrameSize(maxFrameSize)
            .maxMessageSize(maxMessageSize)
            .maxOutboundBytes(maxOutbound)
            .handshakeTimeout(handshakeTimeout)
            .subprotocols(subprotocols)
            .allowedOrigins(Set.copyOf(origins))
            .compression(!noCompression)
            .pingInterval(pingInterval)
            .idleTimeout(idleTimeout)
            .memoryBudget(memoryBudget > 0 ? memoryBudget : WorkerPlan.memoryBudget(maxMessageSize))
            .loopStallTimeout(loopStallTimeout)
            .maxConnections(WorkerPlan.workerCap(maxConnections, workerCount, openFiles))
            .maxConnectionsPerAddress(maxConnectionsPerAddress)
            .handshakesPerSecond(share(handshakesPerSecond, workerCount))
            .build();
    }

    private static int share(int total, int workers) {
        return total == 0 ? 0 : Math.max(1, (total + workers - 1) / workers);
    }

    /** {@code auto} in any case, or a number of at least 1. */
    static final class WorkersConverter implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            if (value.trim().equalsIgnoreCase("auto")) {
                return "auto";
            }
            try {
                if (Integer.parseInt(value.trim()) >= 1) {
                    return value.trim();
                }
            } catch (NumberFormatException e) {
                // the message below
            }
            throw new CommandLine.TypeConversionException("expected a number of at least 1, or auto; got '" + value
                + "'");
        }
    }

    /** {@code auto} (0: derived from the message size) or a size. */
    static final class BudgetConverter implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            if (value.trim().equalsIgnoreCase("auto")) {
                return 0L;
            }
            long bytes = SizeConverter.parse(value);
            if (bytes < 1) {
                throw new CommandLine.TypeConversionException("expected a size or auto; got '" + value + "'");
            }
            return bytes;
        }
    }

    /** auto, epoll or nio, in any case. */
    static final class TransportConverter extends EnumConverter<TransportKind> {
        TransportConverter() {
            super(TransportKind.class);
        }
    }

    /**
     * The defaults of the options that set one {@link ServerConfig} value as it is: ServerConfig's defaults, written
     * as an operator would type them, so the help shows them and parsing them gives ServerConfig's values back.
     * {@code --max-connections}, {@code --handshakes-per-second} (totals split over workers) and {@code --io-threads}
     * (per worker) mean something else than their ServerConfig namesakes and keep defaults of their own.
     */
    static final class ServerConfigDefaults implements CommandLine.IDefaultValueProvider {
        private static final ServerConfig DEFAULTS = ServerConfig.builder().build();

        @Override
        public String defaultValue(ArgSpec arg) {
            if (!arg.isOption()) {
                return null;
            }
            ServerConfig d = DEFAULTS;
            return switch (((OptionSpec) arg).longestName()) {
                case "--host" -> d.listen().host();
                case "--port" -> Integer.toString(d.listen().port());
                case "--max-connections-per-address" -> Integer.toString(d.admission().maxConnectionsPerAddress());
                case "--ping-interval" -> DurationConverter.format(d.keepalive().pingInterval());
                case "--idle-timeout" -> DurationConverter.format(d.keepalive().idleTimeout());
                case "--max-frame-size" -> SizeConverter.format(d.limits().maxFrameSize());
                case "--max-message-size" -> SizeConverter.format(d.limits().maxMessageSize());
                case "--max-outbound" -> SizeConverter.format(d.limits().maxOutboundBytes());
                case "--handshake-timeout" -> DurationConverter.format(d.handshake().timeout());
                case "--backlog" -> Integer.toString(d.listen().backlog());
                case "--transport" -> d.listen().transport().name().toLowerCase(Locale.ROOT);
                case "--loop-stall-timeout" -> DurationConverter.format(d.keepalive().loopStallTimeout());
                default -> null;
            };
        }
    }
}
