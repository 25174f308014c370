/**
 * Pusher Channels protocol 7 as data: what clients send ({@link dev.throng.gateway.protocol.ClientMessage}, read by
 * {@link dev.throng.gateway.protocol.ClientMessageParser}), what the gateway sends
 * ({@link dev.throng.gateway.protocol.ServerFrames}), the errors ({@link dev.throng.gateway.protocol.PusherError}),
 * and the kinds and names of channels and events ({@link dev.throng.gateway.protocol.ChannelType},
 * {@link dev.throng.gateway.protocol.ChannelNames}, {@link dev.throng.gateway.protocol.EventNames}).
 *
 * <p>Pure: no connection, no clock, no logging; every class is immutable or stateless, and thread-safe. The
 * reference is {@code docs/gateway.md}.
 */
package dev.throng.gateway.protocol;
