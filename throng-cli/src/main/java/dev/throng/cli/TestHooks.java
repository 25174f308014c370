package dev.throng.cli;

import dev.throng.core.WebSocketConnection;
import dev.throng.core.WebSocketHandler;
import io.netty.buffer.ByteBuf;

/**
 * Test-only behaviour of {@code throng serve}, absent unless the JVM runs with {@code -Dthrong.testHooks=true} (the
 * CLI's integration tests set it; nothing else should): a text message {@code __throng_test_block_loop <ms>} blocks
 * the event loop that reads it for that long, as a buggy handler would, so the watchdog's reaction can be tested on
 * the real process. Every other message goes to the real handler.
 */
final class TestHooks implements WebSocketHandler {
    static final String PROPERTY = "throng.testHooks";
    static final String BLOCK_LOOP = "__throng_test_block_loop ";

    private final WebSocketHandler handler;

    private TestHooks(WebSocketHandler handler) {
        this.handler = handler;
    }

    /** {@code handler}, wrapped when the test hooks are on. */
    static WebSocketHandler wrap(WebSocketHandler handler) {
        return Boolean.getBoolean(PROPERTY) ? new TestHooks(handler) : handler;
    }

    @Override
    public void onText(WebSocketConnection connection, String text) {
        if (text.startsWith(BLOCK_LOOP)) {
            try {
                Thread.sleep(Long.parseLong(text.substring(BLOCK_LOOP.length()).trim()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        handler.onText(connection, text);
    }

    @Override
    public void onOpen(WebSocketConnection connection) {
        handler.onOpen(connection);
    }

    @Override
    public void onBinary(WebSocketConnection connection, ByteBuf data) {
        handler.onBinary(connection, data);
    }

    @Override
    public void onClose(WebSocketConnection connection, int code, String reason) {
        handler.onClose(connection, code, reason);
    }

    @Override
    public void onError(WebSocketConnection connection, Throwable cause) {
        handler.onError(connection, cause);
    }
}
