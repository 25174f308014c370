package dev.throng.core;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * An opening handshake that the server found valid (RFC 6455 §4.2.1) and is about to accept, as the application's
 * {@link WebSocketHandler#onUpgrade} sees it: the request target, its headers and the peer. Valid during that call
 * only; the application copies what it keeps.
 */
public final class UpgradeRequest {
    private final HttpRequest request;
    private final SocketAddress remoteAddress;

    /** Made by the server for each upgrade; public for tests of handlers. */
    public UpgradeRequest(HttpRequest request, SocketAddress remoteAddress) {
        this.request = request;
        this.remoteAddress = remoteAddress;
    }

    /** The request target as sent: path and query, e.g. {@code /app/key?protocol=7}. */
    public String uri() {
        return request.uri();
    }

    /** The path of the target, without the query. */
    public String path() {
        String uri = request.uri();
        int q = uri.indexOf('?');
        return q < 0 ? uri : uri.substring(0, q);
    }

    /** The raw query string after {@code ?} (not decoded), or {@code null} when there is none. */
    public String query() {
        String uri = request.uri();
        int q = uri.indexOf('?');
        return q < 0 ? null : uri.substring(q + 1);
    }

    /** The request's header fields. */
    public HttpHeaders headers() {
        return request.headers();
    }

    /** The peer's address; an {@link InetSocketAddress} on TCP. */
    public SocketAddress remoteAddress() {
        return remoteAddress;
    }
}
