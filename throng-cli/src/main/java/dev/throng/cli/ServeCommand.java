package dev.throng.cli;

import dev.throng.core.ServerConfig;
import dev.throng.core.TransportKind;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;

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

    @Option(names = "--workers", defaultValue = "1", paramLabel = "N|auto",
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

    @Option(names = "--transport", paramLabel = "auto|epoll|nio",
        description = "Netty transport (default: ${DEFAULT-VALUE}: epoll where it loads, else NIO).")
    String transport;

    @Option(names = "--io-threads", defaultValue = "0", paramLabel = "N",
        description = "Event loop threads per process. 0: one per core, or 1 per worker when workers >= cores.")
    int ioThreads;

    @Option(names = "--reuse-port", description = "Set SO_REUSEPORT (implied for workers).")
    boolean reusePort;

    @Override
    public Integer call() throws Exception {
        long openFiles = WorkerPlan.openFilesLimit();
        int workerCount = workerCount(openFiles);
        if (workerCount > 1) {
            return new Supervisor(new WorkerArgs(config(workerCount, openFiles), drainWindow), workerCount).run();
        }
        return ServerProcess.run(config(1, openFiles), drainWindow);
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
            .transport(TransportKind.valueOf(transport.toUpperCase(Locale.ROOT)))
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
            .maxConnections(WorkerPlan.workerCap(maxConnections, workerCount, openFiles))
            .maxConnectionsPerAddress(maxConnectionsPerAddress)
            .handshakesPerSecond(share(handshakesPerSecond, workerCount))
            .build();
    }

    private static int share(int total, int workers) {
        return total == 0 ? 0 : Math.max(1, (total + workers - 1) / workers);
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
                case "--host" -> d.host();
                case "--port" -> Integer.toString(d.port());
                case "--max-connections-per-address" -> Integer.toString(d.maxConnectionsPerAddress());
                case "--ping-interval" -> DurationConverter.format(d.pingInterval());
                case "--idle-timeout" -> DurationConverter.format(d.idleTimeout());
                case "--max-frame-size" -> SizeConverter.format(d.frameLimits().maxFrameSize());
                case "--max-message-size" -> SizeConverter.format(d.frameLimits().maxMessageSize());
                case "--max-outbound" -> SizeConverter.format(d.maxOutboundBytes());
                case "--handshake-timeout" -> DurationConverter.format(d.handshakeTimeout());
                case "--backlog" -> Integer.toString(d.backlog());
                case "--transport" -> d.transport().name().toLowerCase(Locale.ROOT);
                default -> null;
            };
        }
    }
}
