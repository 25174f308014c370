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
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
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
        timeout = ctx.executor().schedule(() -> onTimeout(ctx), server.config.handshakeTimeout().toNanos(),
            TimeUnit.NANOSECONDS);
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
            outcome = server.validator.validate(request);
        } finally {
            ReferenceCountUtil.release(msg);
        }
        if (outcome instanceof UpgradeOutcome.Reply) {
            UpgradeOutcome.Reply reply = (UpgradeOutcome.Reply) outcome;
            if (reply.reason() != HttpReplyReason.HEALTHY) {
                server.counters.rejected.increment();
            }
            HttpReplies.writeAndClose(ctx, reply, HttpMethod.HEAD.equals(request.method()));
            return;
        }
        HttpReplyReason refused = server.admission.admit(addressOf(ctx));
        if (refused != null) {
            server.counters.rejected.increment();
            server.counters.shed.increment();
            long base = server.config.retryAfter().toSeconds();
            long retryAfter = base + ThreadLocalRandom.current().nextLong(base + 1); // spread the returns
            HttpReplies.writeAndClose(ctx, new UpgradeOutcome.Reply(refused,
                Map.of("Retry-After", Long.toString(Math.max(1, retryAfter)))), false);
            return;
        }
        upgrade(ctx, (UpgradeOutcome.Accept) outcome);
    }

    static InetAddress addressOf(ChannelHandlerContext ctx) {
        return WebSocketSession.addressOf(ctx.channel().remoteAddress());
    }

    private void upgrade(ChannelHandlerContext ctx, UpgradeOutcome.Accept accept) {
        if (LeanUpgrade.applies(server, ctx)) {
            LeanUpgrade.handOff(ctx, server, accept, DECODER_NAME);
            return;
        }
        HttpReplies.writeSwitchingProtocols(ctx, accept);
        ChannelSession connection = new ChannelSession(server, accept);
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
