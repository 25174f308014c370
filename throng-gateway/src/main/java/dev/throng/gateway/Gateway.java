package dev.throng.gateway;

import dev.throng.core.ServerConfig;
import dev.throng.core.ThrongServer;
import dev.throng.gateway.app.App;
import dev.throng.gateway.app.Apps;
import dev.throng.gateway.broker.Broker;
import dev.throng.gateway.broker.LocalBroker;
import dev.throng.gateway.http.ApiHandler;
import dev.throng.gateway.http.ApiService;
import dev.throng.gateway.hub.Hub;
import dev.throng.gateway.hub.PusherHandler;
import dev.throng.gateway.metrics.GatewayMetrics;
import dev.throng.gateway.webhook.Webhooks;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Pusher gateway: the engine's server with the Pusher protocol on every connection and the REST API on the
 * same port. Made with {@link #start}; thread-safe.
 *
 * <pre>
 * try (Gateway gateway = Gateway.start(ServerConfig.builder().port(6001).build(), GatewayConfig.DEFAULTS)) {
 *     gateway.server().awaitClose();
 * }
 * </pre>
 */
public final class Gateway implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

    private final ThrongServer server;
    private final Hub hub;
    private final Broker broker;
    private final Webhooks webhooks;
    private final GatewayMetrics metrics;

    private Gateway(ThrongServer server, Hub hub, Broker broker, Webhooks webhooks, GatewayMetrics metrics) {
        this.server = server;
        this.hub = hub;
        this.broker = broker;
        this.webhooks = webhooks;
        this.metrics = metrics;
    }

    /**
     * Starts serving {@code config}'s apps on the address {@code serverConfig} names, as a single node (an in-process
     * broker); returns once the port is bound.
     *
     * @throws IllegalStateException when the server cannot start
     */
    public static Gateway start(ServerConfig serverConfig, GatewayConfig config) {
        return start(serverConfig, config, new LocalBroker());
    }

    /** As {@link #start(ServerConfig, GatewayConfig)}, sharing channels, presence and counts through {@code broker}. */
    public static Gateway start(ServerConfig serverConfig, GatewayConfig config, Broker broker) {
        Apps apps = new Apps(config.apps());
        GatewayMetrics metrics = new GatewayMetrics(apps);
        Webhooks webhooks = new Webhooks(config.webhookSettings());
        Hub hub = new Hub(apps, broker, metrics, webhooks, config.maxPendingPublicationBytes(), config.writeDelay());
        PusherHandler handler = new PusherHandler(hub, broker, apps, config.activityTimeout(), webhooks, metrics);
        ApiService api = new ApiService(
                new ApiHandler(apps, config.requestTimestampWindow(), config.cacheTtl(), hub, broker, metrics),
                config.maxRequestBodyBytes());
        metrics.broker(broker::degradedReason);
        broker.start(hub, metrics);
        ThrongServer server;
        try {
            server = ThrongServer.start(serverConfig, handler, api);
        } catch (RuntimeException e) {
            webhooks.close();
            broker.close();
            throw e;
        }
        metrics.gauges(server, hub::connections, hub::subscriptions, hub::channels);
        metrics.webhooks(webhooks::stats);
        metrics.backlog(hub::backlogBytes, hub.maxBacklogBytes());
        for (App app : apps.all()) {
            if (app.isDevelopment()) {
                LOG.warn("serving the development app (id app-id, key app-key, secret app-secret): its secret is "
                        + "public; configure apps of your own before anyone else can reach this server");
            }
        }
        LOG.info(
                "Pusher gateway: {} app(s) on ws://{}:{}/app/{{key}}, REST on the same port",
                apps.size(),
                server.localAddress().getHostString(),
                server.port());
        return new Gateway(server, hub, broker, webhooks, metrics);
    }

    /** The engine's server under the gateway (its address, counters, loops). */
    public ThrongServer server() {
        return server;
    }

    /** The gateway's metrics (what {@code GET /metrics} serves). */
    public GatewayMetrics metrics() {
        return metrics;
    }

    /**
     * As {@link ThrongServer#drain}: no new connections, open ones closed with 1001 spread over {@code window} (pusher-js
     * reconnects after its 1 s backoff, to another node behind a balancer), pending webhooks sent, then stop.
     */
    public void drain(Duration window) {
        server.drain(window);
        close();
    }

    /** Stops at once; the broker's last decisions (a cluster node leaving: channels vacated) still reach webhooks. */
    @Override
    public void close() {
        server.close();
        broker.close();
        webhooks.close();
    }
}
