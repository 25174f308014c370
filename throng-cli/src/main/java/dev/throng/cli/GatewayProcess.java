package dev.throng.cli;

import dev.throng.core.ServerConfig;
import dev.throng.gateway.Gateway;
import dev.throng.gateway.GatewayConfig;
import dev.throng.gateway.app.App;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * {@code throng serve} in gateway mode: one process serving the Pusher gateway until SIGTERM or SIGINT drains it
 * ({@link ServerProcess#serve}). One process only, until a Redis broker joins processes (issue #17 item 11): a
 * publication on one would not reach the clients of the others, so {@link ServeSettings#workerCount} refuses more.
 */
final class GatewayProcess {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayProcess.class);

    private GatewayProcess() {
    }

    /** Starts the gateway and blocks until it has closed; 0 after a drain. */
    static int run(ServerConfig config, GatewayConfig gateway, Duration drainWindow) throws InterruptedException {
        for (App app : gateway.apps()) {
            if (app.isDevelopment()) {
                LOG.warn("the development app is in use (id {}, key {}): its secret is the well-known one, so anyone "
                    + "can sign as it; configure your own apps (docs/configuration.md: --config, or THRONG_APP_ID, "
                    + "THRONG_APP_KEY and THRONG_APP_SECRET)", app.id(), app.key());
            }
        }
        Gateway running = Gateway.start(config, gateway);
        return ServerProcess.serve(running.server(), running::drain, drainWindow, null);
    }
}
