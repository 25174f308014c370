package dev.throng.bench.client;

import io.netty.channel.Channel;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.Locale;
import java.util.function.Supplier;

/** The choice between epoll (leaner per socket, Linux only) and NIO (anywhere). */
public enum Transports {
    EPOLL,
    NIO;

    /** {@code auto} picks epoll when its native library loads, else NIO; {@code epoll} fails when it does not. */
    public static Transports choose(String name) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "auto":
                return Epoll.isAvailable() ? EPOLL : NIO;
            case "epoll":
                Epoll.ensureAvailability();
                return EPOLL;
            case "nio":
                return NIO;
            default:
                throw new IllegalArgumentException("transport must be auto, epoll or nio, got '" + name + "'");
        }
    }

    public IoHandlerFactory ioHandlerFactory() {
        return this == EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    public Supplier<Channel> channelFactory() {
        return this == EPOLL ? EpollSocketChannel::new : NioSocketChannel::new;
    }
}
