package dev.throng.bench.plan;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * A {@code ws://} URL to connect to. {@code wss://} is refused: TLS would dominate the client's memory and CPU and
 * measure the TLS stack rather than the server.
 *
 * @param host the host as written (a literal address is used as is; a name is resolved once, at start)
 * @param port the port, 80 when the URL has none
 * @param path the request target: path and query, at least {@code /}
 */
public record TargetUrl(String host, int port, String path) {

    public static TargetUrl parse(String url) {
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: '" + url + "'");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("wss")) {
            throw new IllegalArgumentException("wss:// is not supported (TLS would measure the TLS stack): " + url);
        }
        if (!scheme.equals("ws")) {
            throw new IllegalArgumentException("URL must start with ws://, got '" + url + "'");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("URL has no host: '" + url + "'");
        }
        if (uri.getRawFragment() != null) {
            throw new IllegalArgumentException("a WebSocket URL must not have a fragment (RFC 6455 §3): " + url);
        }
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            path += "?" + uri.getRawQuery();
        }
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new TargetUrl(host, uri.getPort() < 0 ? 80 : uri.getPort(), path);
    }

    /** The {@code Host} header value (RFC 7230 §5.4): port included when it is not 80. */
    public String hostHeader() {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return port == 80 ? h : h + ":" + port;
    }

    @Override
    public String toString() {
        return "ws://" + hostHeader() + path;
    }
}
