package dev.throng.gateway.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A Pusher connection as the JDK's WebSocket client sees it, for the gateway's Java-side tests: it collects every
 * frame as JSON and answers nothing by itself (the independent witnesses are pusher-js and the pusher SDK, in Node).
 * Public for the CLI's tests, which drive {@code throng serve} processes with it.
 */
public final class PusherWire implements WebSocket.Listener, AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    final LinkedBlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder text = new StringBuilder();
    private WebSocket ws;

    public static PusherWire connect(int port, String key) throws Exception {
        return connect(URI.create("ws://127.0.0.1:" + port + "/app/" + key + "?protocol=7&client=java&version=1"));
    }

    static PusherWire connect(URI uri) throws Exception {
        PusherWire wire = new PusherWire();
        wire.ws = HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .buildAsync(uri, wire)
                .get(5, TimeUnit.SECONDS);
        return wire;
    }

    /** The next frame, waiting up to 5 s. */
    public JsonNode next() throws InterruptedException {
        JsonNode frame = frames.poll(5, TimeUnit.SECONDS);
        if (frame == null) {
            throw new AssertionError("no frame within 5 s");
        }
        return frame;
    }

    /** The next frame whose event is {@code event}, skipping others. */
    public JsonNode next(String event) throws InterruptedException {
        for (; ; ) {
            JsonNode frame = next();
            if (frame.path("event").asText().equals(event)) {
                return frame;
            }
        }
    }

    /** The socket id from {@code pusher:connection_established} (which must be the first frame). */
    public String established() throws Exception {
        JsonNode first = next();
        if (!first.path("event").asText().equals("pusher:connection_established")) {
            throw new AssertionError("first frame: " + first);
        }
        return JSON.readTree(first.path("data").asText()).path("socket_id").asText();
    }

    /**
     * Reads {@code pusher:connection_established} (the first frame), subscribes to the public {@code channel} and waits
     * for its {@code subscription_succeeded}.
     */
    public void subscribePublic(String channel) throws Exception {
        established();
        send("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"" + channel + "\"}}");
        JsonNode ok = next("pusher_internal:subscription_succeeded");
        if (!ok.path("channel").asText().equals(channel)) {
            throw new AssertionError("subscription_succeeded for another channel: " + ok);
        }
    }

    public void send(String json) throws Exception {
        ws.sendText(json, true).get(5, TimeUnit.SECONDS);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
            try {
                frames.add(JSON.readTree(text.toString()));
            } catch (Exception e) {
                frames.add(JSON.createObjectNode().put("unparsable", text.toString()));
            }
            text.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.completeExceptionally(error);
    }

    @Override
    public void close() {
        ws.abort();
    }
}
