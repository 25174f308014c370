package dev.throng.gateway.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A webhook receiver on 127.0.0.1 (the JDK's HttpServer, port 0) that records every request, answers 200, and can be
 * told to answer 500 or not to answer at all, for the next N requests or for all of them.
 */
final class WebhookReceiver implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request as it arrived. */
    record Received(String method, String path, Headers headers, byte[] body, long nanos) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The {@code name} of each event, in order. */
        List<String> names() {
            List<String> names = new ArrayList<>();
            json().get("events").forEach(e -> names.add(e.get("name").asText()));
            return names;
        }

        /** Each event as {@code name:channel[:user_id]}, in order. */
        List<String> events() {
            List<String> events = new ArrayList<>();
            json().get("events")
                    .forEach(e -> events.add(
                            e.get("name").asText() + ":" + e.get("channel").asText()
                                    + (e.has("user_id") ? ":" + e.get("user_id").asText() : "")));
            return events;
        }
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<Received> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private final AtomicInteger hangsLeft = new AtomicInteger();
    private final CountDownLatch closed = new CountDownLatch(1);

    private WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    static WebhookReceiver start() {
        try {
            return new WebhookReceiver();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    URI url() {
        return url("/webhooks");
    }

    /** The next {@code n} requests get a 500. */
    WebhookReceiver failNext(int n) {
        failuresLeft.set(n);
        return this;
    }

    /** Every request gets a 500 from now on. */
    WebhookReceiver failAlways() {
        return failNext(Integer.MAX_VALUE);
    }

    /** The next {@code n} requests get no answer until the receiver is closed. */
    WebhookReceiver hangNext(int n) {
        hangsLeft.set(n);
        return this;
    }

    List<Received> requests() {
        return List.copyOf(requests);
    }

    Received request(int i) {
        return requests.get(i);
    }

    /** Every event of every request, as {@link Received#events()}, in arrival order. */
    List<String> events() {
        List<String> all = new ArrayList<>();
        requests.forEach(r -> all.addAll(r.events()));
        return all;
    }

    private void handle(HttpExchange exchange) throws IOException {
        long now = System.nanoTime();
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        requests.add(new Received(
                exchange.getRequestMethod(),
                exchange.getRequestURI().getPath(),
                exchange.getRequestHeaders(),
                body,
                now));
        try {
            if (hangsLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                closed.await(30, TimeUnit.SECONDS);
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        int status = failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? 500 : 200;
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        threads.shutdownNow();
    }
}
