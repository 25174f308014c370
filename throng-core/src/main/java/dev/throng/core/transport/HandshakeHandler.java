package dev.throng.core.transport;

import dev.throng.core.handshake.HttpReplyReason;
import dev.throng.core.handshake.UpgradeOutcome;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;

import java.io.IOException;
import java.net.InetAddress;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Lives in the pipeline from accept until the first request is answered: enforces the handshake timeout, asks the
 * {@link dev.throng.core.handshake.UpgradeValidator}, and either writes a plain reply and closes, or writes
 * {@code 101} and replaces the HTTP pipeline with one {@link ChannelSession}.
 */
final class HandshakeHandler extends ChannelInboundHandlerAdapter {
    static final String DECODER_NAME = "http-decoder";

    private final ServerContext server;
    private ScheduledFuture<?> timeout;
    private boolean answered;

    HandshakeHandler(ServerContext server) {
        this.server = server;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        timeout = ctx.executor().schedule(() -> onTimeout(ctx), server.handshakeTimeoutNanos, TimeUnit.NANOSECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (answered || !(msg instanceof HttpRequest)) {
            ReferenceCountUtil.release(msg); // request body chunks or input after the answer
            return;
        }
        HttpRequest request = (HttpRequest) msg;
        answered = true;
        cancelTimeout();
        UpgradeOutcome outcome;
        try {
            outcome = server.judge(request, addressOf(ctx));
        } finally {
            ReferenceCountUtil.release(msg);
        }
        if (outcome instanceof UpgradeOutcome.Reply) {
            HttpReplies.writeAndClose(ctx, (UpgradeOutcome.Reply) outcome, HttpMethod.HEAD.equals(request.method()));
            return;
        }
        upgrade(ctx, (UpgradeOutcome.Accept) outcome);
    }

    static InetAddress addressOf(ChannelHandlerContext ctx) {
        return WebSocketSession.addressOf(ctx.channel().remoteAddress());
    }

    private void upgrade(ChannelHandlerContext ctx, UpgradeOutcome.Accept accept) {
        HttpReplies.writeSwitchingProtocols(ctx, accept);
        ChannelSession connection = new ChannelSession(server.loop(ctx.executor()), accept);
        ChannelPipeline pipeline = ctx.pipeline();
        pipeline.addLast(ChannelSession.NAME, connection);
        pipeline.remove(this);
        // Removing the decoder hands any bytes it read past the request (frames a client sent right behind its
        // handshake) to the connection handler, in order.
        pipeline.remove(DECODER_NAME);
        connection.open();
    }

    private void onTimeout(ChannelHandlerContext ctx) {
        if (!answered && ctx.channel().isActive()) {
            answered = true;
            server.counters.rejected.increment();
            HttpReplies.writeAndClose(ctx, new UpgradeOutcome.Reply(HttpReplyReason.HANDSHAKE_TIMEOUT), false);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimeout();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Resets and broken pipes before the upgrade are routine; anything else is logged by the connection layer.
        if (!(cause instanceof IOException)) {
            WebSocketSession.LOG.debug("handshake failed on {}", ctx.channel(), cause);
        }
        ctx.close();
    }

    private void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
            timeout = null;
        }
    }
}
