package dev.throng.core.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandler;
import io.netty.util.ReferenceCountUtil;

/**
 * A {@link ChannelInboundHandler} that is its channel's only handler ({@link HandshakeHandler} until the answer, then
 * {@link ChannelSession}): the events its implementor does not act on are forwarded, as Netty's adapter class does.
 * Both already extend a class ({@code KeepaliveWheel.Member}, directly or through {@link WebSocketSession}), so these
 * are defaults here instead, at no cost per connection.
 */
interface SoleInboundHandler extends ChannelInboundHandler {
    @Override
    default void channelRegistered(ChannelHandlerContext ctx) {
        ctx.fireChannelRegistered();
    }

    @Override
    default void channelUnregistered(ChannelHandlerContext ctx) {
        ctx.fireChannelUnregistered();
    }

    @Override
    default void channelActive(ChannelHandlerContext ctx) {
        ctx.fireChannelActive();
    }

    @Override
    default void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.fireChannelReadComplete();
    }

    @Override
    default void channelWritabilityChanged(ChannelHandlerContext ctx) {
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    default void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        ReferenceCountUtil.release(evt); // not forwarded: no handler behind this one takes it
    }
}
