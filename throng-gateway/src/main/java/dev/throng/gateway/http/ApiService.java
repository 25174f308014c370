package dev.throng.gateway.http;

import dev.throng.core.HttpService;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * The Pusher REST API (and {@code GET /metrics}, {@code GET /healthz/cluster}) on the WebSocket port, as
 * Pusher-compatible servers serve it (issue #17 item 7): the engine hands over every plain request under
 * {@code /apps/}, to {@code /metrics} or to {@code /healthz/cluster}, and the connection gets Netty's HTTP codec (no hand-written HTTP parsing), an aggregator bounded by the largest body
 * (larger: 413, from the aggregator), and the {@link ApiHandler}. SDKs keep their connections alive between calls;
 * one idle for a minute is closed.
 */
public final class ApiService implements HttpService {
    /** A kept-alive API connection idle this long is closed: SDKs reconnect at once, idle sockets cost a channel. */
    private static final int IDLE_SECONDS = 60;
    /**
     * The cluster's health: 200 while the broker reaches the shared state, 503 while it is degraded. Beside the engine's
     * {@code /healthz} (which stays the process's liveness: a node that cannot reach Redis still serves its own
     * connections and must not be restarted for it).
     */
    public static final String CLUSTER_HEALTH_PATH = "/healthz/cluster";

    private final ApiHandler handler;
    private final int maxBody;

    public ApiService(ApiHandler handler, int maxRequestBodyBytes) {
        this.handler = handler;
        this.maxBody = maxRequestBodyBytes;
    }

    @Override
    public boolean serves(HttpRequest request) {
        String uri = request.uri();
        return uri.startsWith("/apps/")
                || uri.equals("/metrics")
                || uri.startsWith("/metrics?")
                || uri.equals(CLUSTER_HEALTH_PATH)
                || uri.startsWith(CLUSTER_HEALTH_PATH + "?");
    }

    @Override
    public void initChannel(Channel channel) {
        channel.pipeline()
                .addLast(
                        new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS),
                        new HttpServerCodec(),
                        new HttpObjectAggregator(maxBody),
                        handler);
    }
}
