package dev.throng.core.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.throng.core.TransportKind;
import dev.throng.core.WebSocketConnection;
import dev.throng.core.test.RecordingHandler;
import dev.throng.core.test.RecordingListener;
import dev.throng.core.test.TestServer;
import java.net.http.WebSocket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Closing handshakes and handler failures as the JDK's own WebSocket client sees them. */
@ParameterizedClass(name = "{0}")
@EnumSource(
        value = TransportKind.class,
        names = {"EPOLL", "NIO"})
class JdkClientCloseIT {
    @Parameter
    TransportKind transport;

    /** Closes on "close-me", throws on "boom", throws in onOpen for path /fail-on-open; echoes otherwise. */
    static final class Handler extends RecordingHandler {
        @Override
        public void onOpen(WebSocketConnection connection) {
            super.onOpen(connection);
            if (connection.path().equals("/fail-on-open")) {
                throw new IllegalStateException("thrown by the test handler in onOpen");
            }
        }

        @Override
        public void onText(WebSocketConnection connection, String text) {
            switch (text) {
                case "close-me":
                    connection.close(4000, "bye");
                    break;
                case "boom":
                    throw new IllegalStateException("thrown by the test handler in onText");
                default:
                    super.onText(connection, text);
            }
        }
    }

    static final Handler HANDLER = new Handler();
    static TestServer server;

    @BeforeParameterizedClassInvocation
    static void startServer(TransportKind transport) {
        server = TestServer.start(transport, HANDLER);
    }

    @AfterParameterizedClassInvocation
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void forgetEarlierEvents() {
        HANDLER.closed.clear();
        HANDLER.errors.clear();
    }

    @Test
    void clientSeesTheCodeAndReasonOfAServerInitiatedClose() throws Exception {
        RecordingListener listener = new RecordingListener();
        WebSocket ws = RecordingListener.connect(server.uri("/"), listener);
        ws.sendText("close-me", true).get(5, TimeUnit.SECONDS);
        assertThat(listener.awaitClose()).isEqualTo(new RecordingListener.Closed(4000, "bye"));
        // The JDK client answers with the same code; the handshake completes and the handler hears of it.
        assertThat(HANDLER.awaitClose().code()).isEqualTo(4000);
    }

    @Test
    void handlerReceivesTheCodeAndReasonOfAClientInitiatedClose() throws Exception {
        RecordingListener listener = new RecordingListener();
        WebSocket ws = RecordingListener.connect(server.uri("/"), listener);
        ws.sendClose(4001, "see you").get(5, TimeUnit.SECONDS);
        assertThat(HANDLER.awaitClose()).isEqualTo(new RecordingHandler.Closed(4001, "see you"));
        assertThat(listener.awaitClose().code())
                .as("the server's answer echoes the code")
                .isEqualTo(4001);
    }

    @Test
    void aHandlerThatThrowsInOnTextClosesTheConnectionWith1011() throws Exception {
        RecordingListener listener = new RecordingListener();
        WebSocket ws = RecordingListener.connect(server.uri("/"), listener);
        ws.sendText("boom", true).get(5, TimeUnit.SECONDS);
        assertThat(listener.awaitClose()).isEqualTo(new RecordingListener.Closed(1011, "HANDLER_ERROR"));
        assertThat(HANDLER.errors.poll(5, TimeUnit.SECONDS)).hasMessage("thrown by the test handler in onText");
        assertThat(HANDLER.awaitClose().code()).isEqualTo(1011);
    }

    @Test
    void aHandlerThatThrowsInOnOpenClosesTheConnectionWith1011() throws Exception {
        RecordingListener listener = new RecordingListener();
        RecordingListener.connect(server.uri("/fail-on-open"), listener);
        assertThat(listener.awaitClose()).isEqualTo(new RecordingListener.Closed(1011, "HANDLER_ERROR"));
        assertThat(HANDLER.errors.poll(5, TimeUnit.SECONDS)).hasMessage("thrown by the test handler in onOpen");
        assertThat(HANDLER.awaitClose().code()).isEqualTo(1011);
    }
}
