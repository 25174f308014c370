package dev.throng.cli;

import dev.throng.cli.config.RecordMapping;
import dev.throng.cli.config.SettingException;
import dev.throng.cli.config.Shape;
import dev.throng.cli.config.Values;
import dev.throng.core.ServerConfig;
import dev.throng.gateway.GatewayConfig;
import dev.throng.redis.RedisClusterSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a supervisor hands a worker: the worker's whole {@link ServerConfig}, resolved from the user's configuration
 * by {@code throng serve}, the drain window, and the worker's heartbeat file, as {@code --path=value} arguments named
 * by each setting's path ({@code --listen.port=8080 --limits.maxFrameSize=1m --drainWindow=10s}). The arguments are
 * derived from ServerConfig's records ({@link RecordMapping}), so a new setting reaches workers without a change here.
 * The worker reads them back without picocli or Jackson ({@link ServerProcess}): parsing its own command line cost
 * each worker 3.3 MiB of RSS (picocli's classes, and the reflection over its option model; docs/benchmarks.md
 * section 13), times dozens of workers.
 *
 * <p>Every setting is passed, defaults included, so a worker runs exactly the configuration its supervisor logged.
 * Lists repeat their path ({@code --handshake.subprotocols=a --handshake.subprotocols=b}); an absent path is left out.
 *
 * <p>A gateway's worker (a cluster node) also gets the gateway's configuration and the cluster's, in the same form
 * ({@code --gateway.apps[0].secret=... --redis.uri=...}) but through its environment ({@link #ENVIRONMENT},
 * {@link #environment()}), not its command line: they hold the apps' secrets and Redis's password, and any user of
 * the machine can read a process's command line ({@code ps}), while its environment is its owner's only
 * ({@code /proc/PID/environ} is mode 0400).
 *
 * @param gateway the gateway's configuration; null for an echo worker
 * @param redis the cluster the gateway's worker is a node of; null for none
 */
record WorkerArgs(
        ServerConfig config, Duration drainWindow, Path healthFile, GatewayConfig gateway, RedisClusterSettings redis) {
    /** The environment variable that carries a gateway worker's gateway and cluster settings. */
    static final String ENVIRONMENT = "THRONG_WORKER_GATEWAY";

    private static final String DRAIN_WINDOW = "--drainWindow=";
    private static final String HEALTH_FILE = "--healthFile=";

    /** What {@link #ENVIRONMENT} holds: one record, so that its arguments are named gateway.… and redis.…. */
    record GatewayPart(GatewayConfig gateway, RedisClusterSettings redis) {}

    /** Arguments of an echo worker without a health file (a process started by hand, not by a supervisor). */
    WorkerArgs(ServerConfig config, Duration drainWindow) {
        this(config, drainWindow, null);
    }

    /** Arguments of an echo worker. */
    WorkerArgs(ServerConfig config, Duration drainWindow, Path healthFile) {
        this(config, drainWindow, healthFile, null, null);
    }

    /** The same arguments with the file this worker's heartbeat goes to ({@link HealthFile}). */
    WorkerArgs withHealthFile(Path file) {
        return new WorkerArgs(config, drainWindow, file, gateway, redis);
    }

    /** The arguments, in a fixed order: the configuration's, then the drain window and the health file. */
    List<String> toArgs() {
        List<String> args = RecordMapping.toArgs(config);
        args.add(DRAIN_WINDOW + Values.formatDuration(drainWindow));
        if (healthFile != null) {
            args.add(HEALTH_FILE + healthFile);
        }
        return args;
    }

    /**
     * The worker's environment variables besides its supervisor's: for a gateway's worker {@link #ENVIRONMENT}, the
     * gateway's and the cluster's settings as {@code --path=value} lines ({@code %} and line breaks escaped as
     * {@code %25}, {@code %0A}, {@code %0D}); none for an echo worker.
     */
    Map<String, String> environment() {
        if (gateway == null) {
            return Map.of();
        }
        List<String> lines = new ArrayList<>();
        for (String arg : RecordMapping.toArgs(new GatewayPart(gateway, redis))) {
            lines.add(arg.replace("%", "%25").replace("\n", "%0A").replace("\r", "%0D"));
        }
        return Map.of(ENVIRONMENT, String.join("\n", lines));
    }

    /** Reads what {@link #toArgs()} wrote, for an echo worker. */
    static WorkerArgs parse(String[] args) {
        return parse(args, Map.of());
    }

    /**
     * Reads what {@link #toArgs()} and {@link #environment()} wrote.
     *
     * @throws IllegalArgumentException on an argument it does not know or a value that does not parse (a
     *     {@link SettingException} naming the setting), and on a configuration ServerConfig refuses
     */
    static WorkerArgs parse(String[] args, Map<String, String> environment) {
        List<String> settings = new ArrayList<>();
        Duration drainWindow = null;
        Path healthFile = null;
        for (String arg : args) {
            if (arg.startsWith(DRAIN_WINDOW)) {
                drainWindow = Values.parseDuration(arg.substring(DRAIN_WINDOW.length()));
            } else if (arg.startsWith(HEALTH_FILE)) {
                healthFile = Path.of(arg.substring(HEALTH_FILE.length()));
            } else {
                settings.add(arg);
            }
        }
        if (drainWindow == null) {
            throw new IllegalArgumentException("worker arguments lack " + DRAIN_WINDOW + "DURATION");
        }
        ServerConfig config = RecordMapping.fromTree(
                ServerConfig.class, RecordMapping.treeFromArgs(Shape.of(ServerConfig.class), settings));
        String gatewayPart = environment.get(ENVIRONMENT);
        if (gatewayPart == null || gatewayPart.isEmpty()) {
            return new WorkerArgs(config, drainWindow, healthFile);
        }
        List<String> lines = new ArrayList<>();
        for (String line : gatewayPart.split("\n", -1)) {
            lines.add(line.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%"));
        }
        GatewayPart part = RecordMapping.fromTree(
                GatewayPart.class, RecordMapping.treeFromArgs(Shape.of(GatewayPart.class), lines));
        if (part.gateway() == null) {
            throw new IllegalArgumentException(ENVIRONMENT + " holds no gateway settings");
        }
        return new WorkerArgs(config, drainWindow, healthFile, part.gateway(), part.redis());
    }
}
