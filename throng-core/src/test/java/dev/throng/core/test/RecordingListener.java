package dev.throng.core.test;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A listener for the JDK's {@link WebSocket} client that gathers whole messages, pongs and the close the server
 * sent. The JDK client answers pings by itself, so a connection with this listener is a healthy peer.
 */
public final class RecordingListener implements WebSocket.Listener {
    /** A close frame the server sent. */
    public record Closed(int code, String reason) {}

    public final LinkedBlockingQueue<Object> messages = new LinkedBlockingQueue<>();
    public final LinkedBlockingQueue<byte[]> pongs = new LinkedBlockingQueue<>();
    /** Completes with the server's close frame, or exceptionally when the connection failed. */
    public final CompletableFuture<Closed> closed = new CompletableFuture<>();

    private final StringBuilder text = new StringBuilder();
    private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

    /** Opens a client connection to {@code uri} with a new listener, waiting up to 5 s. */
    public static WebSocket connect(URI uri, RecordingListener listener) throws Exception {
        return HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .buildAsync(uri, listener)
                .get(5, TimeUnit.SECONDS);
    }

    /** The server's close frame, waiting up to 10 s. */
    public Closed awaitClose() throws Exception {
        return closed.get(10, TimeUnit.SECONDS);
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
            messages.add(text.toString());
            text.setLength(0);
        }
        ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
        byte[] part = new byte[data.remaining()];
        data.get(part);
        binary.writeBytes(part);
        if (last) {
            messages.add(binary.toByteArray());
            binary.reset();
        }
        ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
        byte[] b = new byte[message.remaining()];
        message.get(b);
        pongs.add(b);
        ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
        closed.complete(new Closed(statusCode, reason));
        return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
        closed.completeExceptionally(error);
    }
}
