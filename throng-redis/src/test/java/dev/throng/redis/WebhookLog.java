package dev.throng.redis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A webhook endpoint that keeps every event it is sent (JDK HTTP server on 127.0.0.1, answers 200), so that a test can
 * count them: the cluster sends each once, whatever node decided it.
 */
final class WebhookLog implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One webhook event: its name, channel and user id (null when it has none). */
    record Event(String name, String channel, String userId) {}

    final List<Event> events = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    WebhookLog() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
            for (JsonNode e : body.path("events")) {
                events.add(new Event(
                        e.path("name").asText(),
                        e.path("channel").asText(),
                        e.hasNonNull("user_id") ? e.path("user_id").asText() : null));
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hooks");
    }

    /** The events about {@code channel}, as {@code name} or {@code name user}. */
    List<String> about(String channel) {
        return events.stream()
                .filter(e -> e.channel().equals(channel))
                .map(e -> e.userId() == null ? e.name() : e.name() + " " + e.userId())
                .toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
