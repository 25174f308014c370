package dev.throng.core.transport;

import dev.throng.core.HttpService;
import dev.throng.core.ServerConfig;
import dev.throng.core.ServerProvider;
import dev.throng.core.ThrongServer;
import dev.throng.core.WebSocketHandler;

/** The engine's {@link ServerProvider}: Netty, on epoll or NIO ({@link ServerBootstrapper}). */
public final class NettyServerProvider implements ServerProvider {

    @Override
    public ThrongServer start(ServerConfig config, WebSocketHandler handler, HttpService httpService) {
        return ServerBootstrapper.start(config, handler, httpService);
    }
}
