package dev.throng.core.transport;

import dev.throng.core.TransportKind;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;

/**
 * The Netty transport a server runs on, and why it was chosen.
 *
 * @param name {@code epoll} or {@code nio}
 * @param why a sentence for the startup log
 */
public record Transport(
        String name, IoHandlerFactory ioHandlerFactory, Class<? extends ServerChannel> serverChannel, String why) {

    public boolean isEpoll() {
        return "epoll".equals(name);
    }

    /**
     * Resolves {@code kind}: {@link TransportKind#AUTO} takes epoll when its native library loads, else NIO with the
     * reason epoll is unavailable.
     *
     * @throws IllegalStateException when {@link TransportKind#EPOLL} is asked for and cannot load
     */
    public static Transport select(TransportKind kind) {
        switch (kind) {
            case NIO:
                return nio("requested");
            case EPOLL:
                if (!Epoll.isAvailable()) {
                    throw new IllegalStateException(
                            "epoll requested but unavailable: " + Epoll.unavailabilityCause(),
                            Epoll.unavailabilityCause());
                }
                return epoll("requested");
            default:
                return Epoll.isAvailable()
                        ? epoll("native library loaded")
                        : nio("epoll unavailable: " + Epoll.unavailabilityCause());
        }
    }

    private static Transport epoll(String why) {
        return new Transport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class, why);
    }

    private static Transport nio(String why) {
        return new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, why);
    }
}
