package dev.throng.cli;

import dev.throng.core.ServerConfig;
import dev.throng.core.TransportKind;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code throng serve}: runs a WebSocket server that echoes every message, in this process or as supervised worker
 * processes sharing the port ({@code --workers}).
 */
@Command(
    name = "serve",
    sortOptions = false,
    usageHelpAutoWidth = true,
    mixinStandardHelpOptions = true,
    description = {"Runs a WebSocket server that echoes every message (connect any WebSocket client to try it).",
        "SIGTERM or SIGINT drains: no new connections, open ones closed with 1001 spread over --drain-window, "
            + "then exit 0; a second signal exits at once."})
public final class ServeCommand implements Callable<Integer> {
    @Option(names = "--host", defaultValue = "0.0.0.0", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "Port to bind (default: ${DEFAULT-VALUE}).")
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

    @Option(names = "--max-connections-per-address", defaultValue = "0", paramLabel = "N",
        description = "Open connections per client IP, per worker; over it, 429. 0: no cap (default).")
    int maxConnectionsPerAddress;

    @Option(names = "--handshakes-per-second", defaultValue = "0", paramLabel = "N",
        description = "Upgrades per second in total (split over workers); over it, 503. 0: no limit (default).")
    int handshakesPerSecond;

    @Option(names = "--ping-interval", defaultValue = "30s", converter = DurationConverter.class,
        description = "Server ping interval; a peer silent for a whole interval after a ping is closed. 0: off "
            + "(default: ${DEFAULT-VALUE}).")
    Duration pingInterval;

    @Option(names = "--idle-timeout", defaultValue = "0", converter = DurationConverter.class,
        description = "Close connections that send no message for this long. 0: off (default).")
    Duration idleTimeout;

    @Option(names = "--max-frame-size", defaultValue = "1m", converter = SizeConverter.class,
        description = "Largest frame payload; larger: close 1009 (default: ${DEFAULT-VALUE}).")
    int maxFrameSize;

    @Option(names = "--max-message-size", defaultValue = "1m", converter = SizeConverter.class,
        description = "Largest message, inflated; larger: close 1009 (default: ${DEFAULT-VALUE}).")
    int maxMessageSize;

    @Option(names = "--max-outbound", defaultValue = "1m", converter = SizeConverter.class,
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

    @Option(names = "--handshake-timeout", defaultValue = "10s", converter = DurationConverter.class,
        description = "Time for a client to send its upgrade request; slower: 408 (default: ${DEFAULT-VALUE}).")
    Duration handshakeTimeout;

    @Option(names = "--drain-window", defaultValue = "10s", converter = DurationConverter.class,
        description = "On SIGTERM, close connections with 1001 spread over this window (default: ${DEFAULT-VALUE}).")
    Duration drainWindow;

    @Option(names = "--backlog", defaultValue = "4096", description = "Accept backlog (default: ${DEFAULT-VALUE}).")
    int backlog;

    @Option(names = "--transport", defaultValue = "auto", paramLabel = "auto|epoll|nio",
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
            .transport(TransportKind.valueOf(transport.toUpperCase(java.util.Locale.ROOT)))
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
}
