package dev.throng.cli;

import dev.throng.core.EchoHandler;
import dev.throng.core.ServerConfig;
import dev.throng.core.ThrongServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * One server process: a {@link ThrongServer} that echoes, until SIGTERM or SIGINT drains it. {@code throng serve}
 * runs it in its own process; a supervisor starts each worker with this class as its main class and
 * {@link WorkerArgs} as its arguments, so a worker never loads the command-line parser.
 */
public final class ServerProcess {
    private static final Logger LOG = LoggerFactory.getLogger(ServerProcess.class);

    private ServerProcess() {
    }

    /** A worker: {@code java <flags> -cp throng.jar dev.throng.cli.ServerProcess <WorkerArgs>}; 0 after a drain. */
    public static void main(String[] args) {
        WorkerArgs worker;
        try {
            worker = WorkerArgs.parse(args);
        } catch (IllegalArgumentException e) {
            LOG.error("bad worker arguments: {}", e.getMessage());
            System.exit(2);
            return;
        }
        try {
            System.exit(run(worker.config(), worker.drainWindow()));
        } catch (Exception e) {
            LOG.error("worker failed", e);
            System.exit(1);
        }
    }

    /** Starts the server and blocks until it has closed; the first signal drains it over {@code drainWindow}. */
    static int run(ServerConfig config, Duration drainWindow) throws InterruptedException {
        ThrongServer server = ThrongServer.start(config, new EchoHandler());
        ShutdownSignals.install(() -> {
            LOG.info("signal received: draining {} connections over {}", server.stats().openConnections(),
                drainWindow);
            server.drain(drainWindow);
        });
        server.awaitClose();
        return 0;
    }
}
