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

    /**
     * Exit status of a process whose event loop stalled (EX_SOFTWARE): non-zero, so its supervisor or systemd
     * restarts it; the connections of its healthy loops are dropped with it, as they would be by any crash.
     */
    static final int EXIT_UNHEALTHY = 70;

    /**
     * Starts the server and blocks until it has closed; the first signal drains it over {@code drainWindow}. An
     * event loop that stalls (the server's watchdog) ends the process with {@link #EXIT_UNHEALTHY}. The counters
     * are logged when the process ends either way (its exit report).
     */
    static int run(ServerConfig config, Duration drainWindow) throws InterruptedException {
        ThrongServer server = ThrongServer.start(config, new EchoHandler());
        server.onUnhealthy(reason -> {
            LOG.error("exiting with status {}: {}; at exit: {}", EXIT_UNHEALTHY, reason, server.stats().summary());
            Runtime.getRuntime().halt(EXIT_UNHEALTHY); // no shutdown hooks: a drain would wait on the stalled loop
        });
        ShutdownSignals.install(() -> {
            LOG.info("signal received: draining {} connections over {}", server.stats().openConnections(),
                drainWindow);
            server.drain(drainWindow);
        });
        server.awaitClose();
        LOG.info("stopped; at exit: {}", server.stats().summary());
        return 0;
    }
}
