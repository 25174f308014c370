package dev.throng.core.handshake;

import dev.throng.core.ServerConfig;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.util.List;
import java.util.Map;

/**
 * Decides what to do with a request that reached a WebSocket server (RFC 6455 §4.2): upgrade it, or answer it with
 * the HTTP status the RFC (or HTTP) names. Pure: a request and the configuration in, an {@link UpgradeOutcome} out.
 */
public final class UpgradeValidator {
    /** The path that answers health checks with 200 and is never upgraded. */
    public static final String HEALTH_PATH = "/healthz";

    private final ServerConfig.Handshake config;
    private final boolean compression;

    public UpgradeValidator(ServerConfig config) {
        this.config = config.handshake();
        this.compression = config.compression().enabled();
    }

    public UpgradeOutcome validate(HttpRequest request) {
        DecoderResult decoded = request.decoderResult();
        if (decoded.isFailure()) {
            return new UpgradeOutcome.Reply(decodeFailure(decoded.cause()));
        }
        HttpHeaders headers = request.headers();
        String target = request.uri();
        String path = pathOf(target);
        if (!headers.containsValue(HttpHeaderNames.UPGRADE, "websocket", true) || HEALTH_PATH.equals(path)) {
            return plainHttp(request, path);
        }
        if (!HttpMethod.GET.equals(request.method())) {
            return new UpgradeOutcome.Reply(HttpReplyReason.METHOD_NOT_ALLOWED, Map.of("Allow", "GET"));
        }
        if (request.protocolVersion().majorVersion() != 1
                || request.protocolVersion().minorVersion() < 1) {
            return new UpgradeOutcome.Reply(HttpReplyReason.UNSUPPORTED_HTTP_VERSION);
        }
        if (config.path() != null && !config.path().equals(path)) {
            return new UpgradeOutcome.Reply(HttpReplyReason.NOT_FOUND);
        }
        if (!headers.contains(HttpHeaderNames.HOST)) {
            return new UpgradeOutcome.Reply(HttpReplyReason.MISSING_HOST);
        }
        // Netty scans the comma-separated tokens of every value in place, case-insensitively.
        if (!headers.containsValue(HttpHeaderNames.CONNECTION, "upgrade", true)) {
            return new UpgradeOutcome.Reply(HttpReplyReason.MISSING_CONNECTION_UPGRADE);
        }
        if (HttpUtil.getContentLength(request, 0L) != 0 || HttpUtil.isTransferEncodingChunked(request)) {
            return new UpgradeOutcome.Reply(HttpReplyReason.REQUEST_BODY_NOT_ALLOWED);
        }
        List<String> versions = headers.getAll(HttpHeaderNames.SEC_WEBSOCKET_VERSION);
        if (versions.isEmpty()) {
            return new UpgradeOutcome.Reply(HttpReplyReason.MISSING_WEBSOCKET_VERSION);
        }
        if (versions.size() != 1 || !"13".equals(versions.get(0).trim())) {
            return new UpgradeOutcome.Reply(
                    HttpReplyReason.UNSUPPORTED_WEBSOCKET_VERSION, Map.of("Sec-WebSocket-Version", "13"));
        }
        List<String> keys = headers.getAll(HttpHeaderNames.SEC_WEBSOCKET_KEY);
        if (keys.size() != 1 || !AcceptKey.isValidKey(keys.get(0).trim())) {
            return new UpgradeOutcome.Reply(HttpReplyReason.INVALID_WEBSOCKET_KEY);
        }
        String origin = headers.get(HttpHeaderNames.ORIGIN);
        if (origin != null
                && !config.allowedOrigins().isEmpty()
                && !config.allowedOrigins().contains(origin)) {
            return new UpgradeOutcome.Reply(HttpReplyReason.ORIGIN_NOT_ALLOWED);
        }
        String subprotocol = config.subprotocols().isEmpty()
                ? null // no list of the client's offers to build
                : chooseSubprotocol(headers.getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL));
        DeflateAgreement deflate = compression
                ? DeflateNegotiator.negotiate(headers.getAll(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS))
                : null;
        return new UpgradeOutcome.Accept(AcceptKey.accept(keys.get(0).trim()), subprotocol, deflate, target);
    }

    private UpgradeOutcome plainHttp(HttpRequest request, String path) {
        boolean readOnly = HttpMethod.GET.equals(request.method()) || HttpMethod.HEAD.equals(request.method());
        if (!readOnly) {
            return new UpgradeOutcome.Reply(HttpReplyReason.METHOD_NOT_ALLOWED, Map.of("Allow", "GET"));
        }
        if (HEALTH_PATH.equals(path)) {
            return new UpgradeOutcome.Reply(HttpReplyReason.HEALTHY);
        }
        if (config.path() != null && !config.path().equals(path)) {
            return new UpgradeOutcome.Reply(HttpReplyReason.NOT_FOUND);
        }
        return new UpgradeOutcome.Reply(
                HttpReplyReason.UPGRADE_REQUIRED, Map.of("Upgrade", "websocket", "Sec-WebSocket-Version", "13"));
    }

    /** §4.2.2: the first subprotocol in the client's order that the server speaks, or {@code null}. */
    private String chooseSubprotocol(List<String> offered) {
        for (String header : offered) {
            for (String protocol : header.split(",")) {
                String p = protocol.trim();
                if (config.subprotocols().contains(p)) {
                    return config.subprotocols().get(config.subprotocols().indexOf(p)); // the shared instance
                }
            }
        }
        return null;
    }

    private static HttpReplyReason decodeFailure(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            return HttpReplyReason.REQUEST_LINE_TOO_LONG;
        }
        if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
            return HttpReplyReason.HEADERS_TOO_LARGE;
        }
        return HttpReplyReason.MALFORMED_REQUEST;
    }

    static String pathOf(String target) {
        int q = target.indexOf('?');
        return q < 0 ? target : target.substring(0, q);
    }
}
