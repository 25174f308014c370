/**
 * Pusher's signatures: of subscriptions ({@link dev.throng.gateway.auth.ChannelAuth}), of sign-ins
 * ({@link dev.throng.gateway.auth.UserAuth}) and of REST requests ({@link dev.throng.gateway.auth.RequestAuth}), all
 * lowercase hex HMAC-SHA256 with the app's secret ({@link dev.throng.gateway.auth.Hmac}), compared in constant time.
 *
 * <p>Pure: the caller passes the clock. Failures are what the client is to be told (a
 * {@link dev.throng.gateway.protocol.ErrorReply}, or a REST status and message), and never contain the secret.
 */
package dev.throng.gateway.auth;
