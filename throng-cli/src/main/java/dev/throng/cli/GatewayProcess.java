package dev.throng.cli;

import dev.throng.core.ServerConfig;
import dev.throng.gateway.Gateway;
import dev.throng.gateway.GatewayConfig;
import dev.throng.gateway.app.App;
import dev.throng.gateway.broker.Broker;
import dev.throng.gateway.broker.LocalBroker;
import dev.throng.redis.RedisBroker;
import dev.throng.redis.RedisClusterSettings;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code throng serve} in gateway mode: a process serving the Pusher gateway until SIGTERM or SIGINT drains it
 * ({@link ServerProcess#serve}). On its own, or with {@code --redis} a node of a cluster on Redis (docs/cluster.md),
 * which is also what each of several workers is: without Redis a publication on one worker would not reach the
 * clients of the others, so {@link ServeSettings#workerCount} refuses more than one.
 *
 * <p>Redis unreachable at start stops the process (status 1, one line naming the address): a node does not start
 * without its cluster ({@link RedisBroker#connect}), since a node that came up degraded would refuse every presence
 * subscription and answer cluster queries with 503 until Redis appears, and a mistyped host would look like an outage
 * that never ends. An outage after the start is ridden out (the node runs degraded and rebuilds when Redis is back).
 */
final class GatewayProcess {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayProcess.class);

    private GatewayProcess() {}

    /**
     * Starts the gateway, as a node on {@code redis} (null: on its own), and blocks until it has closed; 0 after a
     * drain. A worker touches {@code healthFile} (null: none) while it is healthy ({@link HealthFile}).
     *
     * @throws IllegalStateException when Redis cannot be reached, or the server cannot start
     */
    static int run(
            ServerConfig config,
            GatewayConfig gateway,
            RedisClusterSettings redis,
            Duration drainWindow,
            Path healthFile)
            throws InterruptedException {
        Broker broker = redis == null ? new LocalBroker() : RedisBroker.connect(redis);
        Gateway running = Gateway.start(config, gateway, broker);
        return ServerProcess.serve(running.server(), running::drain, drainWindow, healthFile);
    }

    /**
     * Connects to {@code redis} and leaves (null: nothing to check): the supervisor of a gateway's workers checks
     * once, so that a wrong address is one line at start rather than every worker failing and being restarted.
     *
     * @throws IllegalStateException naming the address when Redis cannot be reached
     */
    static void checkReachable(RedisClusterSettings redis) {
        if (redis != null) {
            RedisBroker.connect(redis).close();
        }
    }

    /** Says, once per {@code throng serve}, that the development app's well-known secret is in use. */
    static void warnOfTheDevelopmentApp(GatewayConfig gateway) {
        for (App app : gateway.apps()) {
            if (app.isDevelopment()) {
                LOG.warn(
                        "the development app is in use (id {}, key {}): its secret is the well-known one, so anyone "
                                + "can sign as it; configure your own apps (docs/configuration.md: --config, or THRONG_APP_ID, "
                                + "THRONG_APP_KEY and THRONG_APP_SECRET)",
                        app.id(),
                        app.key());
            }
        }
    }
}
