package dev.throng.cli;

import dev.throng.core.ServerConfig;
import dev.throng.core.TransportKind;
import dev.throng.gateway.GatewayConfig;
import dev.throng.redis.RedisClusterSettings;
import java.io.PrintWriter;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * {@code throng serve}: runs the Pusher gateway (the default) or a WebSocket server that echoes every message
 * ({@code --mode echo}), in this process or as supervised worker processes sharing the port ({@code --workers}; a
 * gateway's workers are nodes of a cluster on Redis, {@code --redis}). Its configuration comes from flags, environment
 * variables, a YAML file ({@code --config}) and the defaults, in that order of precedence ({@link ServeSettings}); each
 * option that gives a setting names it with {@link Setting}, and its help shows that setting's default, so each default
 * is stated once, in the records. The options' fields are there for picocli's conversion (a bad value is refused as the
 * option's) and help: what the user typed is read from the parse result and goes to {@link ServeSettings} as the
 * setting's text.
 */
@Command(
        name = "serve",
        defaultValueProvider = ServeCommand.SettingDefaults.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        mixinStandardHelpOptions = true,
        description = {
            "Runs the Pusher Channels gateway (pusher-js and Pusher's server SDKs work unchanged), or with "
                    + "--mode echo a WebSocket server that echoes every message.",
            "Settings come from flags, then THRONG_* environment variables, then the YAML file of --config, then the "
                    + "defaults (docs/configuration.md); --print-config shows the result.",
            "SIGTERM or SIGINT drains: no new connections, open ones closed with 1001 spread over --drain-window, "
                    + "then exit 0; a second signal exits at once."
        })
public final class ServeCommand implements Callable<Integer> {
    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "A YAML file of settings, under the environment and the flags (default: $THRONG_CONFIG, else "
                    + "none).")
    Path config;

    @Option(
            names = "--print-config",
            description = "Print the configuration these sources give, as YAML (secrets masked), and exit.")
    boolean printConfig;

    @Option(
            names = "--set",
            paramLabel = "PATH=VALUE",
            description = "Any setting by its path, e.g. --set keepalive.closeTimeout=3s (repeatable).")
    List<String> set = new ArrayList<>();

    @Setting("mode")
    @Option(
            names = "--mode",
            paramLabel = "gateway|echo",
            converter = ModeConverter.class,
            description = "gateway: the Pusher gateway; echo: every message echoed (default: ${DEFAULT-VALUE}).")
    ServeSettings.Mode mode;

    @Setting("listen.host")
    @Option(names = "--host", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    String host;

    @Setting("listen.port")
    @Option(names = "--port", description = "Port to bind (default: ${DEFAULT-VALUE}).")
    int port;

    @Setting("workers")
    @Option(
            names = "--workers",
            paramLabel = "N|auto",
            converter = WorkersConverter.class,
            description = "Server processes sharing the port with SO_REUSEPORT, supervised by this one; 'auto' derives "
                    + "it from --max-connections and the open-files limit. In gateway mode only with --redis: each worker is "
                    + "a node of the cluster (default: ${DEFAULT-VALUE}).")
    String workers;

    @Setting("redis.uri")
    @Option(
            names = "--redis",
            paramLabel = "URI",
            description = "Redis to share channels, presence and counts with the other gateway processes on it: this "
                    + "process (or each worker) becomes a node of one cluster (docs/cluster.md). "
                    + "redis://[[user]:password@]host[:port][/db], rediss:// for TLS; a password is better given in "
                    + "THRONG_REDIS_URI or the file than here, where ps shows it. Other redis.* settings by --set "
                    + "(default: none: the gateway on its own).")
    String redis;

    @Setting("admission.maxConnections")
    @Option(
            names = "--max-connections",
            paramLabel = "N",
            description = "Open connections in total (split over workers, each taking its share plus a margin for "
                    + "the kernel's uneven spread); over it, upgrades get 503 with Retry-After. 0: no cap but the open-files "
                    + "limit (default: ${DEFAULT-VALUE}).")
    int maxConnections;

    @Setting("admission.maxConnectionsPerAddress")
    @Option(
            names = "--max-connections-per-address",
            paramLabel = "N",
            description = "Open connections per client IP, per worker; over it, 429. 0: no cap (default: "
                    + "${DEFAULT-VALUE}).")
    int maxConnectionsPerAddress;

    @Setting("admission.handshakesPerSecond")
    @Option(
            names = "--handshakes-per-second",
            paramLabel = "N",
            description = "Upgrades per second in total (split over workers); over it, 503. 0: no limit (default: "
                    + "${DEFAULT-VALUE}).")
    int handshakesPerSecond;

    @Setting("keepalive.pingInterval")
    @Option(
            names = "--ping-interval",
            converter = DurationConverter.class,
            description = "Server ping interval; a peer silent for a whole interval after a ping is closed. 0: off "
                    + "(default: ${DEFAULT-VALUE}).")
    Duration pingInterval;

    @Setting("keepalive.idleTimeout")
    @Option(
            names = "--idle-timeout",
            converter = DurationConverter.class,
            description = "Close connections that send no message for this long. 0: off (default: ${DEFAULT-VALUE}).")
    Duration idleTimeout;

    @Setting("limits.maxFrameSize")
    @Option(
            names = "--max-frame-size",
            converter = SizeConverter.class,
            description = "Largest frame payload; larger: close 1009 (default: ${DEFAULT-VALUE}).")
    int maxFrameSize;

    @Setting("limits.maxMessageSize")
    @Option(
            names = "--max-message-size",
            converter = SizeConverter.class,
            description = "Largest message, inflated; larger: close 1009 (default: ${DEFAULT-VALUE}).")
    int maxMessageSize;

    @Setting("limits.maxOutboundBytes")
    @Option(
            names = "--max-outbound",
            converter = SizeConverter.class,
            description = "Outbound bytes a connection may buffer before it is closed with 1013 (default: "
                    + "${DEFAULT-VALUE}).")
    int maxOutbound;

    @Setting("limits.memoryBudget")
    @Option(
            names = "--memory-budget",
            paramLabel = "SIZE|auto",
            converter = BudgetConverter.class,
            description = "Bytes in flight a server process holds at most (partial and inflated messages, outbound "
                    + "queues): near it, connections sending large frames wait to be read. auto: 16m, or three of the "
                    + "largest message when that is more; the JVM's direct memory is sized to match (default: "
                    + "${DEFAULT-VALUE}).")
    long memoryBudget;

    @Setting("keepalive.loopStallTimeout")
    @Option(
            names = "--loop-stall-timeout",
            converter = DurationConverter.class,
            description =
                    "An event loop silent this long makes /healthz answer 503 and the process exit with 70, to be "
                            + "restarted. 0: off (default: ${DEFAULT-VALUE}).")
    Duration loopStallTimeout;

    @Setting(value = "compression.enabled", negated = true)
    @Option(names = "--no-compression", description = "Decline permessage-deflate (default: accepted).")
    boolean noCompression;

    @Setting("handshake.path")
    @Option(names = "--path", description = "The only path that upgrades (default: any path).")
    String path;

    @Setting("handshake.allowedOrigins")
    @Option(
            names = "--origin",
            paramLabel = "ORIGIN",
            description = "An allowed Origin (repeatable); others get 403 (default: any origin).")
    List<String> origins = new ArrayList<>();

    @Setting("handshake.subprotocols")
    @Option(names = "--subprotocol", paramLabel = "NAME", description = "A subprotocol to accept (repeatable).")
    List<String> subprotocols = new ArrayList<>();

    @Setting("handshake.timeout")
    @Option(
            names = "--handshake-timeout",
            converter = DurationConverter.class,
            description = "Time for a client to send its upgrade request; slower: 408 (default: ${DEFAULT-VALUE}).")
    Duration handshakeTimeout;

    @Setting("drainWindow")
    @Option(
            names = "--drain-window",
            converter = DurationConverter.class,
            description =
                    "On SIGTERM, close connections with 1001 spread over this window (default: ${DEFAULT-VALUE}).")
    Duration drainWindow;

    @Setting("listen.backlog")
    @Option(names = "--backlog", description = "Accept backlog (default: ${DEFAULT-VALUE}).")
    int backlog;

    @Setting("listen.transport")
    @Option(
            names = "--transport",
            paramLabel = "auto|epoll|nio",
            converter = TransportConverter.class,
            description = "Netty transport (default: ${DEFAULT-VALUE}: epoll where it loads, else NIO).")
    TransportKind transport;

    @Setting("listen.ioThreads")
    @Option(
            names = "--io-threads",
            paramLabel = "N|auto",
            converter = IoThreadsConverter.class,
            description = "Event loop threads per process. auto: one per core, or 1 per worker when workers >= cores "
                    + "(default: ${DEFAULT-VALUE}).")
    int ioThreads;

    @Setting("listen.reusePort")
    @Option(names = "--reuse-port", description = "Set SO_REUSEPORT (implied for workers).")
    boolean reusePort;

    @Spec
    CommandSpec spec;

    /** Where THRONG_* settings and THRONG_CONFIG are read from: this process's environment (tests give their own). */
    private final Map<String, String> environment;

    private ServeSettings settings;

    public ServeCommand() {
        this(System.getenv());
    }

    ServeCommand(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws Exception {
        long openFiles = WorkerPlan.openFilesLimit();
        ServeSettings s;
        int workerCount;
        ServerConfig config;
        GatewayConfig gateway;
        RedisClusterSettings redis;
        try {
            s = settings();
            workerCount = s.workerCount(openFiles);
            config = s.serverConfig(workerCount, openFiles);
            gateway = s.gateway();
            redis = s.redis();
        } catch (ServeSettings.Invalid e) {
            throw new ParameterException(spec.commandLine(), "invalid configuration: " + e.getMessage(), e);
        }
        if (printConfig) {
            PrintWriter out = spec.commandLine().getOut();
            out.print(s.yaml());
            out.flush();
            return 0;
        }
        if (s.mode() == ServeSettings.Mode.GATEWAY) {
            GatewayProcess.warnOfTheDevelopmentApp(gateway);
            if (workerCount > 1) {
                GatewayProcess.checkReachable(redis); // one line and status 1 now, not workers failing in a loop
                return new Supervisor(new WorkerArgs(config, s.drainWindow(), null, gateway, redis), workerCount).run();
            }
            return GatewayProcess.run(config, gateway, redis, s.drainWindow(), null);
        }
        if (workerCount > 1) {
            return new Supervisor(new WorkerArgs(config, s.drainWindow()), workerCount).run();
        }
        return ServerProcess.run(config, s.drainWindow());
    }

    /**
     * The configuration these options give over the environment and the file (parsed once).
     *
     * @throws ServeSettings.Invalid naming the first bad setting and where it came from
     */
    ServeSettings settings() {
        if (settings == null) {
            settings = ServeSettings.load(
                    configFile(), environment, flags(spec.commandLine().getParseResult()));
        }
        return settings;
    }

    /** {@code --config}, else {@code THRONG_CONFIG}, else none. */
    private Path configFile() {
        if (config != null) {
            return config;
        }
        String fromEnvironment = environment.get("THRONG_CONFIG");
        return fromEnvironment == null || fromEnvironment.isBlank() ? null : Path.of(fromEnvironment);
    }

    /** The settings given on this command line: each option that has a {@link Setting}, then each {@code --set}. */
    private List<ServeSettings.Flag> flags(ParseResult parsed) {
        List<ServeSettings.Flag> flags = new ArrayList<>();
        for (Map.Entry<String, Setting> option : SETTINGS.entrySet()) {
            OptionSpec matched = parsed.matchedOption(option.getKey());
            if (matched == null) {
                continue;
            }
            Setting setting = option.getValue();
            Object text;
            if (matched.arity().max() == 0) { // a switch
                text = Boolean.toString(!setting.negated());
            } else if (matched.isMultiValue()) {
                text = new ArrayList<>(matched.originalStringValues());
            } else {
                List<String> values = matched.originalStringValues();
                text = values.get(values.size() - 1);
            }
            flags.add(new ServeSettings.Flag(setting.value(), text, option.getKey()));
        }
        for (String assignment : set) {
            int eq = assignment.indexOf('=');
            if (eq <= 0) {
                throw new ParameterException(
                        spec.commandLine(),
                        "--set " + assignment + ": expected PATH=VALUE, " + "e.g. --set keepalive.closeTimeout=3s");
            }
            flags.add(new ServeSettings.Flag(assignment.substring(0, eq), assignment.substring(eq + 1), "--set"));
        }
        return flags;
    }

    /** The server processes this configuration asks for under an open-files limit of {@code openFiles}. */
    int workerCount(long openFiles) {
        return settings().workerCount(openFiles);
    }

    /**
     * The configuration of one server process, when {@code workerCount} processes share the load under an open-files
     * limit of {@code openFiles} each.
     */
    ServerConfig config(int workerCount, long openFiles) {
        return settings().serverConfig(workerCount, openFiles);
    }

    /** The option name of each field with a {@link Setting}, and the setting. */
    private static final Map<String, Setting> SETTINGS = settingsByOption();

    private static Map<String, Setting> settingsByOption() {
        Map<String, Setting> byOption = new java.util.LinkedHashMap<>();
        for (Field field : ServeCommand.class.getDeclaredFields()) {
            Setting setting = field.getAnnotation(Setting.class);
            Option option = field.getAnnotation(Option.class);
            if (setting != null && option != null) {
                byOption.put(option.names()[0], setting);
            }
        }
        return byOption;
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
            throw new CommandLine.TypeConversionException(
                    "expected a number of at least 1, or auto; got '" + value + "'");
        }
    }

    /** {@code auto} (0: one per core) or a number. */
    static final class IoThreadsConverter implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            if (value.trim().equalsIgnoreCase("auto")) {
                return 0;
            }
            try {
                return Integer.parseInt(value.trim());
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("expected a number or auto; got '" + value + "'");
            }
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

    /** gateway or echo, in any case. */
    static final class ModeConverter extends EnumConverter<ServeSettings.Mode> {
        ModeConverter() {
            super(ServeSettings.Mode.class);
        }
    }

    /**
     * The defaults the help shows: each option's setting's default ({@link ServeSettings#defaultText}), written as
     * an operator would type it. Switches and lists show none.
     */
    static final class SettingDefaults implements CommandLine.IDefaultValueProvider {
        @Override
        public String defaultValue(ArgSpec arg) {
            if (!arg.isOption()) {
                return null;
            }
            OptionSpec option = (OptionSpec) arg;
            Setting setting = SETTINGS.get(option.names()[0]);
            if (setting == null || option.arity().max() == 0 || option.isMultiValue()) {
                return null;
            }
            return ServeSettings.defaultText(setting.value());
        }
    }
}
