package dev.throng.core.test;

import dev.throng.core.WebSocketConnection;
import dev.throng.core.WebSocketHandler;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A server handler for integration tests: echoes every message (like {@link dev.throng.core.EchoHandler}) and records
 * opens, closes and errors in queues a test thread can wait on. Subclass to add behaviour, calling {@code super}.
 */
public class RecordingHandler implements WebSocketHandler {
    /** What {@link WebSocketHandler#onClose} received. */
    public record Closed(int code, String reason) {}

    public final BlockingQueue<WebSocketConnection> opened = new LinkedBlockingQueue<>();
    public final BlockingQueue<Closed> closed = new LinkedBlockingQueue<>();
    public final BlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();

    @Override
    public void onOpen(WebSocketConnection connection) {
        opened.add(connection);
    }

    @Override
    public void onText(WebSocketConnection connection, String text) {
        connection.sendText(text);
    }

    @Override
    public void onBinary(WebSocketConnection connection, ByteBuf data) {
        connection.sendBinary(data.retain());
    }

    @Override
    public void onClose(WebSocketConnection connection, int code, String reason) {
        closed.add(new Closed(code, reason));
    }

    @Override
    public void onError(WebSocketConnection connection, Throwable cause) {
        errors.add(cause);
    }

    /** The next connection's onOpen, waiting up to 5 s. */
    public WebSocketConnection awaitOpen() throws InterruptedException {
        WebSocketConnection c = opened.poll(5, TimeUnit.SECONDS);
        if (c == null) {
            throw new AssertionError("no connection opened within 5 s");
        }
        return c;
    }

    /** The next onClose, waiting up to 10 s. */
    public Closed awaitClose() throws InterruptedException {
        Closed c = closed.poll(10, TimeUnit.SECONDS);
        if (c == null) {
            throw new AssertionError("onClose not called within 10 s");
        }
        return c;
    }
}
