package dev.throng.cli;

import dev.throng.core.EchoHandler;
import dev.throng.core.ServerConfig;
import dev.throng.core.ThrongServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One server process: a {@link ThrongServer} that echoes, until SIGTERM or SIGINT drains it. {@code throng serve
 * --mode echo} runs it in its own process; a supervisor starts each worker with this class as its main class and
 * {@link WorkerArgs} as its arguments, so a worker never loads the command-line parser, nor (echoing) Jackson. The
 * gateway ({@link GatewayProcess}) is served by {@link #serve} too, and a gateway's worker (a cluster node) runs it
 * from here.
 */
public final class ServerProcess {
    private static final Logger LOG = LoggerFactory.getLogger(ServerProcess.class);

    private ServerProcess() {}

    /**
     * A worker: {@code java <flags> -cp throng.jar dev.throng.cli.ServerProcess <WorkerArgs>}, a gateway's with
     * {@link WorkerArgs#ENVIRONMENT} set; 0 after a drain.
     */
    public static void main(String[] args) {
        WorkerArgs worker;
        try {
            worker = WorkerArgs.parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            LOG.error("bad worker arguments: {}", e.getMessage());
            System.exit(2);
            return;
        }
        try {
            System.exit(
                    worker.gateway() == null
                            ? run(worker.config(), worker.drainWindow(), worker.healthFile())
                            : GatewayProcess.run(
                                    worker.config(),
                                    worker.gateway(),
                                    worker.redis(),
                                    worker.drainWindow(),
                                    worker.healthFile()));
        } catch (IllegalStateException e) { // Redis unreachable, the port taken: the machine's answer, not a bug
            LOG.error("worker failed: {}", e.getMessage());
            System.exit(1);
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
     * How long an unhealthy process lives on before it exits: a health check already on its way gets the 503 (a load
     * balancer stops sending clients here), and the log gets its lines. Short, because nothing on the stalled loop is
     * served meanwhile.
     */
    static final Duration UNHEALTHY_EXIT_DELAY = Duration.ofSeconds(2);

    /** As {@link #run(ServerConfig, Duration, Path)} without a health file. */
    static int run(ServerConfig config, Duration drainWindow) throws InterruptedException {
        return run(config, drainWindow, null);
    }

    /**
     * Starts the echo server and blocks until it has closed: {@link #serve}. A worker touches {@code healthFile}
     * (null: none) while it is healthy, for its supervisor ({@link HealthFile}).
     */
    static int run(ServerConfig config, Duration drainWindow, Path healthFile) throws InterruptedException {
        ThrongServer server = ThrongServer.start(config, TestHooks.wrap(new EchoHandler()));
        return serve(server, server::drain, drainWindow, healthFile);
    }

    /**
     * Blocks until {@code server} has closed; the first signal drains it with {@code drain} over {@code drainWindow}.
     * An event loop that stalls (the server's watchdog) ends the process with {@link #EXIT_UNHEALTHY}. The counters
     * are logged when the process ends either way (its exit report).
     */
    static int serve(ThrongServer server, Consumer<Duration> drain, Duration drainWindow, Path healthFile)
            throws InterruptedException {
        server.onUnhealthy(reason -> {
            LOG.error(
                    "unhealthy: exiting with status {} in {} s: {}; at exit: {}",
                    EXIT_UNHEALTHY,
                    UNHEALTHY_EXIT_DELAY.toSeconds(),
                    reason,
                    server.stats().summary());
            try {
                Thread.sleep(UNHEALTHY_EXIT_DELAY.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Runtime.getRuntime().halt(EXIT_UNHEALTHY); // no shutdown hooks: a drain would wait on the stalled loop
        });
        if (healthFile != null) {
            HealthFile.beat(healthFile, server);
        }
        AtomicBoolean signalled = new AtomicBoolean();
        ShutdownSignals.install(() -> {
            signalled.set(true);
            LOG.info(
                    "signal received: draining {} connections over {}",
                    server.stats().openConnections(),
                    drainWindow);
            drain.accept(drainWindow);
            LOG.info("drained; at exit: {}", server.stats().summary()); // the process exits right after this
        });
        server.awaitClose();
        if (signalled.get()) {
            Thread.sleep(Long.MAX_VALUE); // the signal's thread finishes its report and exits the process
        }
        LOG.info("stopped; at exit: {}", server.stats().summary());
        return 0;
    }
}
