package dev.throng.redis;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * What a cluster scenario asks the Java test to do at a moment of its choosing ({@code POST /redis/stop}, {@code POST
 * /redis/start}, {@code POST /node/kill}): the JDK's HTTP server on 127.0.0.1, answering 200 once the action is done,
 * 500 with the failure otherwise.
 */
final class ControlEndpoint implements AutoCloseable {
    private final HttpServer server;

    ControlEndpoint(Map<String, Callable<?>> actions) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        actions.forEach((path, action) -> server.createContext(path, exchange -> {
            int status = 200;
            String body = "done";
            try {
                action.call();
            } catch (Exception e) {
                status = 500;
                body = e.toString();
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        }));
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
