package dev.throng.gateway.witness;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A webhook endpoint for the tests (the JDK's HTTP server on 127.0.0.1, any free port): it records every request as
 * received, and answers 200, or 500 to the first {@code n} requests of a path set to {@link #failFirst fail}. It
 * judges nothing itself; the pusher SDK validates what it recorded ({@code webhooks.js validate}).
 */
final class WebhookReceiver implements AutoCloseable {
    /** One request: its path, headers (lower-case names, first value), body, when it came, what it was answered. */
    record Received(String path, Map<String, String> headers, String body, long receivedAtMillis, int status) {}

    final List<Received> received = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> failuresLeft = new ConcurrentHashMap<>();
    private final HttpServer server;

    WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    /** The first {@code n} requests to {@code path} are answered 500. */
    void failFirst(String path, int n) {
        failuresLeft.put(path, new AtomicInteger(n));
    }

    List<Received> to(String path) {
        return received.stream().filter(r -> r.path().equals(path)).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        long at = System.currentTimeMillis();
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Map<String, String> headers = new TreeMap<>();
        exchange.getRequestHeaders()
                .forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values.get(0)));
        String path = exchange.getRequestURI().getPath();
        AtomicInteger left = failuresLeft.get(path);
        int status = left != null && left.getAndDecrement() > 0 ? 500 : 200;
        received.add(new Received(path, headers, body, at, status));
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
