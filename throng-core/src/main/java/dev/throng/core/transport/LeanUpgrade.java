package dev.throng.core.transport;

import dev.throng.core.handshake.UpgradeOutcome;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.util.ReferenceCountUtil;

import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Moves an upgraded socket out of its Netty channel into an {@link EpollSession} (issue #4, lean connections).
 *
 * <p>The steps, all on the channel's event loop: stop reading; write the 101; swap the HTTP handlers for a
 * {@link Capture} that keeps any bytes already read (frames a client sent right behind its handshake); once the 101
 * is written, deregister the channel from epoll (the file descriptor stays open) and register the same descriptor
 * as an {@link EpollSession} on the same loop; feed it the captured bytes. The channel object is then unreachable
 * and collected; nothing closes the descriptor but the session.
 */
final class LeanUpgrade {
    private LeanUpgrade() {
    }

    static boolean applies(ServerContext server, ChannelHandlerContext ctx) {
        return server.config.leanConnections() && ctx.channel() instanceof EpollSocketChannel
            && ((IoEventLoop) ctx.channel().eventLoop()).isCompatible(EpollSession.class);
    }

    static void handOff(ChannelHandlerContext ctx, ServerContext server, UpgradeOutcome.Accept accept,
                        String decoderName) {
        EpollSocketChannel channel = (EpollSocketChannel) ctx.channel();
        channel.config().setAutoRead(false);
        ChannelFuture written = HttpReplies.writeSwitchingProtocols(ctx, accept);
        Capture capture = new Capture();
        ChannelPipeline pipeline = ctx.pipeline();
        pipeline.addLast("capture", capture);
        pipeline.remove(ctx.handler());
        pipeline.remove(decoderName); // hands bytes read past the request to the capture
        InetSocketAddress remote = channel.remoteAddress();
        written.addListener(w -> {
            if (!w.isSuccess() || !channel.isOpen()) {
                abandon(server, channel, capture, remote);
                return;
            }
            int fd = channel.fd().intValue();
            IoEventLoop loop = (IoEventLoop) channel.eventLoop();
            channel.deregister().addListener(d -> {
                // The channel may have closed (peer reset, client gave up) before it was deregistered; its file
                // descriptor number may then already belong to a new connection. Only an open channel's descriptor
                // is ours to move, and from here nothing but this loop can touch it: no epoll events reach a
                // deregistered channel.
                if (!d.isSuccess() || !channel.isOpen()) {
                    abandon(server, channel, capture, remote);
                    return;
                }
                EpollSession session = new EpollSession(server, accept, fd, remote, loop);
                loop.register(session).addListener(r -> {
                    if (!r.isSuccess()) {
                        WebSocketSession.LOG.warn("could not register upgraded socket {}", remote, r.cause());
                        capture.release();
                        session.closeWire(); // closes the descriptor; no open() yet, so nothing was counted
                        server.admission.release(WebSocketSession.addressOf(remote));
                        return;
                    }
                    try {
                        session.registered((IoRegistration) r.getNow());
                    } catch (UncheckedIOException e) {
                        WebSocketSession.LOG.warn("could not watch upgraded socket {}", remote, e);
                        capture.release();
                        session.closeWire();
                        server.admission.release(WebSocketSession.addressOf(remote));
                        return;
                    }
                    session.open();
                    capture.drainTo(session);
                    session.readNow(); // bytes that arrived between deregistration and registration
                });
            });
        });
    }

    private static void abandon(ServerContext server, EpollSocketChannel channel, Capture capture,
                                InetSocketAddress remote) {
        capture.release();
        channel.close();
        server.admission.release(WebSocketSession.addressOf(remote));
    }

    /** Holds the bytes a channel read after the request, until the session takes them. */
    static final class Capture extends ChannelInboundHandlerAdapter {
        private List<ByteBuf> captured;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf) {
                if (captured == null) {
                    captured = new ArrayList<>(2);
                }
                captured.add((ByteBuf) msg);
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A client that resets while its socket is being moved: the channel closes and the move is abandoned.
            if (!(cause instanceof java.io.IOException)) {
                WebSocketSession.LOG.warn("error while upgrading {}", ctx.channel(), cause);
            }
            ctx.close();
        }

        void drainTo(WebSocketSession session) {
            if (captured != null) {
                List<ByteBuf> bufs = captured;
                captured = null;
                for (ByteBuf buf : bufs) {
                    session.onBytes(buf);
                }
                session.onReadComplete();
            }
        }

        void release() {
            if (captured != null) {
                captured.forEach(ByteBuf::release);
                captured = null;
            }
        }
    }
}
