package dev.throng.core.test;

import dev.throng.core.ServerConfig;
import dev.throng.core.ThrongServer;
import dev.throng.core.TransportKind;
import dev.throng.core.WebSocketHandler;
import java.net.URI;
import java.time.Duration;
import java.util.function.UnaryOperator;

/** Starts a server on 127.0.0.1 and a free port for a test; close it with try-with-resources. */
public final class TestServer implements AutoCloseable {
    private final ThrongServer server;

    private TestServer(ThrongServer server) {
        this.server = server;
    }

    public static TestServer start(TransportKind transport, WebSocketHandler handler) {
        return start(transport, handler, b -> b);
    }

    public static TestServer start(
            TransportKind transport, WebSocketHandler handler, UnaryOperator<ServerConfig.Builder> customize) {
        // Server pings off unless a test asks for them (KeepaliveIT): the first ping lands at a random moment in
        // the interval, and a client's automatic pong racing the test's own close made a short test fail once
        // in a while (the JDK client reports "Output closed" for a pong queued behind its close).
        ServerConfig.Builder builder = ServerConfig.builder()
                .host("127.0.0.1")
                .port(0)
                .transport(transport)
                .ioThreads(2)
                .pingInterval(Duration.ZERO);
        return new TestServer(ThrongServer.start(customize.apply(builder).build(), handler));
    }

    public ThrongServer server() {
        return server;
    }

    public int port() {
        return server.port();
    }

    public URI uri(String path) {
        return URI.create("ws://127.0.0.1:" + server.port() + path);
    }

    @Override
    public void close() {
        server.close();
    }
}
