package dev.throng.core.transport;

import dev.throng.core.handshake.UpgradeOutcome;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.net.SocketAddress;

/**
 * A {@link WebSocketSession} on a Netty channel: after the upgrade, the only handler in the pipeline. Used on the NIO
 * transport (and on epoll when the lean transport is turned off). Reading is paused with the channel's auto-read;
 * the channel's outbound buffer is Netty's, so its bytes are bounded per connection ({@code maxOutboundBytes}) but
 * not counted in the memory budget.
 */
final class ChannelSession extends WebSocketSession implements SoleInboundHandler {
    static final String NAME = "websocket";

    private ChannelHandlerContext ctx;
    /** Bytes the channel had queued at the last keepalive visit: fewer now means the peer reads. */
    private long pendingAtLastVisit;

    ChannelSession(ServerLoop loop, UpgradeOutcome.Accept accept) {
        super(loop, accept);
    }

    // ---- the wire ---------------------------------------------------------------------------------------------

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
    void wirePauseReading() {
        ctx.channel().config().setAutoRead(false);
    }

    @Override
    void wireResumeReading() {
        ctx.channel().config().setAutoRead(true); // Netty reads what arrived meanwhile
    }

    @Override
    boolean wireWriteProgress() {
        long now = pendingOutboundBytes();
        boolean progress = now < pendingAtLastVisit;
        pendingAtLastVisit = now;
        return progress;
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
            loop.server.counters.bytesIn.add(((ByteBuf) msg).readableBytes());
            onBytes((ByteBuf) msg, 0);
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

    /** Netty's pipeline hands every throwable of this channel here (allocation failures included). */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            ctx.close(); // reset, broken pipe: routine
        } else {
            failInternally(cause);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            outboundDrained();
        }
        ctx.fireChannelWritabilityChanged();
    }
}
