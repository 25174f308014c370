package dev.throng.cli;

import dev.throng.cli.config.RecordMapping;
import dev.throng.cli.config.SettingException;
import dev.throng.cli.config.Shape;
import dev.throng.cli.config.Values;
import dev.throng.core.ServerConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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
 */
record WorkerArgs(ServerConfig config, Duration drainWindow, Path healthFile) {
    private static final String DRAIN_WINDOW = "--drainWindow=";
    private static final String HEALTH_FILE = "--healthFile=";

    /** Arguments without a health file (a process started by hand, not by a supervisor). */
    WorkerArgs(ServerConfig config, Duration drainWindow) {
        this(config, drainWindow, null);
    }

    /** The same arguments with the file this worker's heartbeat goes to ({@link HealthFile}). */
    WorkerArgs withHealthFile(Path file) {
        return new WorkerArgs(config, drainWindow, file);
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
     * Reads what {@link #toArgs()} wrote.
     *
     * @throws IllegalArgumentException on an argument it does not know or a value that does not parse (a
     *     {@link SettingException} naming the setting), and on a configuration ServerConfig refuses
     */
    static WorkerArgs parse(String[] args) {
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
        ServerConfig config = RecordMapping.fromTree(ServerConfig.class,
            RecordMapping.treeFromArgs(Shape.of(ServerConfig.class), settings));
        return new WorkerArgs(config, drainWindow, healthFile);
    }
}
