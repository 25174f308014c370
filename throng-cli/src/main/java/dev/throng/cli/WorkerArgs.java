package dev.throng.cli;

import dev.throng.core.ServerConfig;
import dev.throng.core.TransportKind;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a supervisor hands a worker: the worker's whole {@link ServerConfig}, resolved from the user's command line
 * by {@code throng serve}, and the drain window, as {@code --name=value} arguments. The worker reads them back
 * without picocli ({@link ServerProcess}): parsing its own command line cost each worker 3.3 MiB of RSS (picocli's
 * classes, and the reflection over its option model; docs/benchmarks.md section 13), times dozens of workers.
 *
 * <p>Every field is passed, defaults included, so a worker runs exactly the configuration its supervisor logged.
 * Lists repeat their name ({@code --subprotocol=a --subprotocol=b}); durations are ISO-8601; an absent path is left
 * out.
 */
record WorkerArgs(ServerConfig config, Duration drainWindow, Path healthFile) {

    /** Arguments without a health file (a process started by hand, not by a supervisor). */
    WorkerArgs(ServerConfig config, Duration drainWindow) {
        this(config, drainWindow, null);
    }

    /** The same arguments with the file this worker's heartbeat goes to ({@link HealthFile}). */
    WorkerArgs withHealthFile(Path file) {
        return new WorkerArgs(config, drainWindow, file);
    }

    /** The arguments, in a fixed order. */
    List<String> toArgs() {
        ServerConfig c = config;
        List<String> args = new ArrayList<>();
        put(args, "host", c.listen().host());
        put(args, "port", c.listen().port());
        put(args, "transport", c.listen().transport().name());
        put(args, "io-threads", c.listen().ioThreads());
        put(args, "backlog", c.listen().backlog());
        put(args, "reuse-port", c.listen().reusePort());
        if (c.handshake().path() != null) {
            put(args, "path", c.handshake().path());
        }
        put(args, "max-frame-size", c.limits().maxFrameSize());
        put(args, "max-message-size", c.limits().maxMessageSize());
        put(args, "max-initial-line-length", c.handshake().maxInitialLineLength());
        put(args, "max-header-size", c.handshake().maxHeaderSize());
        put(args, "handshake-timeout", c.handshake().timeout());
        put(args, "close-timeout", c.keepalive().closeTimeout());
        c.handshake().subprotocols().forEach(s -> put(args, "subprotocol", s));
        new TreeSet<>(c.handshake().allowedOrigins()).forEach(o -> put(args, "origin", o));
        put(args, "compression", c.compression().enabled());
        put(args, "compression-threshold", c.compression().threshold());
        put(args, "ping-interval", c.keepalive().pingInterval());
        put(args, "skip-ping-when-active", c.keepalive().skipPingWhenActive());
        put(args, "idle-timeout", c.keepalive().idleTimeout());
        put(args, "write-buffer-high-water-mark", c.limits().writeBufferHighWaterMark());
        put(args, "max-outbound", c.limits().maxOutboundBytes());
        put(args, "max-connections", c.admission().maxConnections());
        put(args, "max-connections-per-address", c.admission().maxConnectionsPerAddress());
        put(args, "handshakes-per-second", c.admission().handshakesPerSecond());
        put(args, "retry-after", c.admission().retryAfter());
        put(args, "lean-connections", c.listen().leanConnections());
        put(args, "memory-budget", c.limits().memoryBudget());
        put(args, "loop-stall-timeout", c.keepalive().loopStallTimeout());
        put(args, "drain-window", drainWindow);
        if (healthFile != null) {
            put(args, "health-file", healthFile);
        }
        return args;
    }

    /**
     * Reads what {@link #toArgs()} wrote.
     *
     * @throws IllegalArgumentException on an argument it does not know or a value that does not parse, and from
     *     {@link ServerConfig.Builder#build()} on a configuration it refuses
     */
    static WorkerArgs parse(String[] args) {
        ServerConfig.Builder b = ServerConfig.builder();
        List<String> subprotocols = new ArrayList<>();
        Set<String> origins = new HashSet<>();
        Duration drainWindow = null;
        Path healthFile = null;
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 0) {
                throw new IllegalArgumentException("worker argument not in --name=value form: " + arg);
            }
            String v = arg.substring(eq + 1);
            switch (arg.substring(2, eq)) {
                case "host" -> b.host(v);
                case "port" -> b.port(Integer.parseInt(v));
                case "transport" -> b.transport(TransportKind.valueOf(v));
                case "io-threads" -> b.ioThreads(Integer.parseInt(v));
                case "backlog" -> b.backlog(Integer.parseInt(v));
                case "reuse-port" -> b.reusePort(bool(v));
                case "path" -> b.path(v);
                case "max-frame-size" -> b.maxFrameSize(Integer.parseInt(v));
                case "max-message-size" -> b.maxMessageSize(Integer.parseInt(v));
                case "max-initial-line-length" -> b.maxInitialLineLength(Integer.parseInt(v));
                case "max-header-size" -> b.maxHeaderSize(Integer.parseInt(v));
                case "handshake-timeout" -> b.handshakeTimeout(Duration.parse(v));
                case "close-timeout" -> b.closeTimeout(Duration.parse(v));
                case "subprotocol" -> subprotocols.add(v);
                case "origin" -> origins.add(v);
                case "compression" -> b.compression(bool(v));
                case "compression-threshold" -> b.compressionThreshold(Integer.parseInt(v));
                case "ping-interval" -> b.pingInterval(Duration.parse(v));
                case "skip-ping-when-active" -> b.skipPingWhenActive(bool(v));
                case "idle-timeout" -> b.idleTimeout(Duration.parse(v));
                case "write-buffer-high-water-mark" -> b.writeBufferHighWaterMark(Integer.parseInt(v));
                case "max-outbound" -> b.maxOutboundBytes(Integer.parseInt(v));
                case "max-connections" -> b.maxConnections(Integer.parseInt(v));
                case "max-connections-per-address" -> b.maxConnectionsPerAddress(Integer.parseInt(v));
                case "handshakes-per-second" -> b.handshakesPerSecond(Integer.parseInt(v));
                case "retry-after" -> b.retryAfter(Duration.parse(v));
                case "lean-connections" -> b.leanConnections(bool(v));
                case "memory-budget" -> b.memoryBudget(Long.parseLong(v));
                case "loop-stall-timeout" -> b.loopStallTimeout(Duration.parse(v));
                case "drain-window" -> drainWindow = Duration.parse(v);
                case "health-file" -> healthFile = Path.of(v);
                default -> throw new IllegalArgumentException("unknown worker argument: " + arg);
            }
        }
        if (drainWindow == null) {
            throw new IllegalArgumentException("worker arguments lack --drain-window");
        }
        return new WorkerArgs(b.subprotocols(subprotocols).allowedOrigins(origins).build(), drainWindow, healthFile);
    }

    private static void put(List<String> args, String name, Object value) {
        args.add("--" + name + "=" + value);
    }

    private static boolean bool(String v) {
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException("not true or false: " + v);
        }
        return v.equals("true");
    }
}
