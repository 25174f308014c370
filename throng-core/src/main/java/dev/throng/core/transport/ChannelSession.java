package dev.throng.core.transport;

import dev.throng.core.handshake.UpgradeOutcome;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandler;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import java.io.IOException;
import java.net.SocketAddress;

/**
 * A {@link WebSocketSession} on a Netty channel: after the upgrade, the only handler in the pipeline. Used on the NIO
 * transport (and on epoll when the lean transport is turned off).
 */
final class ChannelSession extends WebSocketSession implements ChannelInboundHandler {
    static final String NAME = "websocket";

    private ChannelHandlerContext ctx;

    ChannelSession(ServerContext server, UpgradeOutcome.Accept accept) {
        super(server, accept);
    }

    // ---- the wire ---------------------------------------------------------------------------------------------

    @Override
    EventExecutor executor() {
        return ctx.executor();
    }

    @Override
    ByteBufAllocator alloc() {
        return ctx.alloc();
    }

    @Override
    void writeToWire(ByteBuf frame, Promise<Void> promise) {
        ctx.write(frame, promise == null ? ctx.voidPromise() : (ChannelPromise) promise);
    }

    @Override
    void flushWire() {
        ctx.flush();
    }

    @Override
    void closeWire() {
        ctx.close();
    }

    @Override
    long pendingOutboundBytes() {
        ChannelOutboundBuffer outbound = ctx.channel().unsafe().outboundBuffer();
        return outbound == null ? 0 : outbound.totalPendingWriteBytes();
    }

    @Override
    boolean wireWritable() {
        return ctx.channel().isWritable();
    }

    @Override
    boolean wireActive() {
        return ctx.channel().isActive();
    }

    @Override
    Future<Void> wireCloseFuture() {
        return ctx.channel().closeFuture();
    }

    @Override
    Promise<Void> newPromise() {
        return ctx.newPromise();
    }

    @Override
    public SocketAddress remoteAddress() {
        return ctx == null ? null : ctx.channel().remoteAddress();
    }

    // ---- ChannelInboundHandler --------------------------------------------------------------------------------

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseBuffers();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf) {
            onBytes((ByteBuf) msg);
        } else {
            ReferenceCountUtil.release(msg); // the decoder's trailing LastHttpContent after the upgrade
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        onReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        onWireClosed();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof IOException)) {
            LOG.warn("unexpected error on {}", ctx.channel(), cause);
        }
        ctx.close();
    }

    @Override
    public void channelRegistered(ChannelHandlerContext ctx) {
        ctx.fireChannelRegistered();
    }

    @Override
    public void channelUnregistered(ChannelHandlerContext ctx) {
        ctx.fireChannelUnregistered();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.fireChannelActive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        ctx.fireChannelWritabilityChanged();
    }
}
