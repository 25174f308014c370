package dev.throng.core.transport;

import dev.throng.core.handshake.HttpReplyReason;
import dev.throng.core.handshake.UpgradeOutcome;
import dev.throng.core.internal.KeepaliveWheel;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;

/**
 * The pipeline of a channel (NIO, or epoll without lean connections) from accept until its first request is
 * answered: it reads the request's bytes and takes the same {@link OpeningHandshake} step as a lean epoll session,
 * so both transports parse, judge and answer alike. It waits in its loop's handshake queue like a lean session (the
 * one timer per loop answers 408), then writes a plain reply and closes, hands the channel to the application's HTTP
 * service, or writes {@code 101} and replaces itself with one {@link ChannelSession}.
 */
final class HandshakeHandler extends KeepaliveWheel.Member implements SoleInboundHandler {
    private final ServerContext server;
    private ChannelHandlerContext ctx;
    private ServerLoop loop;
    /** An incomplete request head. */
    private ByteBuf held;

    private long acceptedNanos;
    private boolean answered;

    HandshakeHandler(ServerContext server) {
        this.server = server;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        loop = server.loop(ctx.executor());
        acceptedNanos = System.nanoTime();
        loop.handshakes.add(this);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (answered || !(msg instanceof ByteBuf)) {
            ReferenceCountUtil.release(msg); // input after the answer
            return;
        }
        ByteBuf in = (ByteBuf) msg;
        ByteBuf buf = held == null ? in : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), held, in);
        held = null;
        OpeningHandshake.Step step =
                OpeningHandshake.read(server, buf, ctx.channel().remoteAddress());
        if (step instanceof OpeningHandshake.NeedMore more) {
            held = more.held();
            return;
        }
        answered = true;
        unlink();
        if (step instanceof OpeningHandshake.Reply reply) {
            writeAndClose(reply.reply(), reply.head());
        } else if (step instanceof OpeningHandshake.HandOver handOver) {
            handOver(handOver.raw());
        } else {
            upgrade((OpeningHandshake.Upgrade) step);
        }
    }

    private void writeAndClose(UpgradeOutcome.Reply reply, boolean head) {
        ctx.writeAndFlush(HttpReplies.reply(ctx.alloc(), reply, head)).addListener(ChannelFutureListener.CLOSE);
    }

    private void handOver(ByteBuf raw) {
        Channel channel = ctx.channel();
        channel.pipeline().remove(this);
        server.httpService.initChannel(channel);
        channel.pipeline().fireChannelRead(raw);
        channel.pipeline().fireChannelReadComplete();
    }

    private void upgrade(OpeningHandshake.Upgrade upgrade) {
        ctx.writeAndFlush(HttpReplies.switchingProtocols(ctx.alloc(), upgrade.accept()));
        ChannelSession connection = new ChannelSession(loop, upgrade.accept());
        ChannelPipeline pipeline = ctx.pipeline();
        pipeline.addLast(ChannelSession.NAME, connection);
        pipeline.remove(this);
        connection.open();
        if (upgrade.rest().isReadable()) {
            pipeline.fireChannelRead(upgrade.rest()); // frames the client sent right behind its request
            pipeline.fireChannelReadComplete();
        } else {
            upgrade.rest().release();
        }
    }

    @Override
    protected void onKeepalive(long nowNanos) {
        // never in a keepalive wheel: only in its loop's handshake queue
    }

    @Override
    protected long onDeadline(long nowNanos) {
        long left = acceptedNanos + server.handshakeTimeoutNanos - nowNanos;
        if (left > 0) {
            return left;
        }
        if (!answered && ctx.channel().isActive()) {
            answered = true;
            server.counters.rejected.increment();
            writeAndClose(new UpgradeOutcome.Reply(HttpReplyReason.HANDSHAKE_TIMEOUT), false);
        }
        return 0;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        unlink();
        releaseHeld();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseHeld();
    }

    private void releaseHeld() {
        if (held != null) {
            held.release();
            held = null;
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Resets and broken pipes before the upgrade are routine; anything else is logged once per cause.
        if (!(cause instanceof IOException)) {
            server.failures.record(cause, ctx.channel());
        }
        ctx.close();
    }
}
