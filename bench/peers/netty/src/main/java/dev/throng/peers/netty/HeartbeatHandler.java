package dev.throng.peers.netty;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * The ws README heartbeat, done the stock Netty way: once the upgrade completes, a {@link ScheduledFuture}
 * per channel fires every interval; if no pong arrived since the previous ping the channel is closed,
 * otherwise a new ping goes out. This timer per connection is exactly what Throng replaces with one sweep
 * per event loop; it is kept here because it is what a typical Netty server does.
 *
 * <p>All fields are touched only on the channel's event loop (the task runs on {@code ctx.executor()}).
 */
final class HeartbeatHandler extends ChannelInboundHandlerAdapter {

    private final long intervalSeconds;
    private ScheduledFuture<?> pinger;
    private boolean alive;

    HeartbeatHandler(long intervalSeconds) {
        this.intervalSeconds = intervalSeconds;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
            alive = true;
            pinger = ctx.executor().scheduleAtFixedRate(() -> ping(ctx), intervalSeconds, intervalSeconds,
                    TimeUnit.SECONDS);
        }
        ctx.fireUserEventTriggered(evt);
    }

    private void ping(ChannelHandlerContext ctx) {
        if (!alive) {
            // ws's terminate(): no pong since the last ping, so drop the connection.
            ctx.channel().close();
            return;
        }
        alive = false;
        ctx.writeAndFlush(new PingWebSocketFrame());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof PongWebSocketFrame) {
            alive = true;
            ReferenceCountUtil.release(msg);
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    private void cancel() {
        if (pinger != null) {
            pinger.cancel(false);
            pinger = null;
        }
    }
}
