package dev.throng.gateway.http;

import dev.throng.core.HttpService;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;

import java.util.concurrent.TimeUnit;

/**
 * The Pusher REST API (and {@code GET /metrics}) on the WebSocket port, as Pusher-compatible servers serve it
 * (issue #17 item 7): the engine hands over every plain request under {@code /apps/} or to {@code /metrics}, and the
 * connection gets Netty's HTTP codec (no hand-written HTTP parsing), an aggregator bounded by the largest body
 * (larger: 413, from the aggregator), and the {@link ApiHandler}. SDKs keep their connections alive between calls;
 * one idle for a minute is closed.
 */
public final class ApiService implements HttpService {
    /** A kept-alive API connection idle this long is closed: SDKs reconnect at once, idle sockets cost a channel. */
    private static final int IDLE_SECONDS = 60;

    private final ApiHandler handler;
    private final int maxBody;

    public ApiService(ApiHandler handler, int maxRequestBodyBytes) {
        this.handler = handler;
        this.maxBody = maxRequestBodyBytes;
    }

    @Override
    public boolean serves(HttpRequest request) {
        String uri = request.uri();
        return uri.startsWith("/apps/") || uri.equals("/metrics") || uri.startsWith("/metrics?");
    }

    @Override
    public void initChannel(Channel channel) {
        channel.pipeline().addLast(
            new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS),
            new HttpServerCodec(),
            new HttpObjectAggregator(maxBody),
            handler);
    }
}
