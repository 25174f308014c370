package dev.throng.core.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.throng.core.SlowConsumerException;
import dev.throng.core.TransportKind;
import dev.throng.core.WebSocketConnection;
import dev.throng.core.test.ClientFrames;
import dev.throng.core.test.RawWebSocketClient;
import dev.throng.core.test.RecordingHandler;
import dev.throng.core.test.ServerFrame;
import dev.throng.core.test.TestServer;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A client that stops reading while the server floods it: the server must refuse sends past
 * {@code maxOutboundBytes} with {@link SlowConsumerException} and drop the connection (1013), never buffer without
 * bound; {@code isWritable()} warns before that.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(
        value = TransportKind.class,
        names = {"EPOLL", "NIO"})
class BackpressureIT {
    static final int MAX_OUTBOUND = 256 * 1024;
    static final String CHUNK = "x".repeat(16 * 1024);
    /** Far more than kernel buffers and the limit hold; reaching it means the limit was never enforced. */
    static final int MAX_SENDS = 10_000;

    @Parameter
    TransportKind transport;

    /** What the flood in onOpen saw: the send that failed and when isWritable() first turned false. */
    record Flood(int sends, int firstUnwritable, Throwable failure) {}

    /** Sends 16 KiB texts from onOpen (on the event loop) until a send fails. */
    static final class Flooder extends RecordingHandler {
        final CompletableFuture<Flood> flood = new CompletableFuture<>();

        @Override
        public void onOpen(WebSocketConnection connection) {
            super.onOpen(connection);
            int firstUnwritable = -1;
            for (int i = 0; i < MAX_SENDS; i++) {
                Future<Void> sent = connection.sendText(CHUNK);
                if (firstUnwritable < 0 && !connection.isWritable()) {
                    firstUnwritable = i;
                }
                if (sent.isDone() && !sent.isSuccess()) {
                    flood.complete(new Flood(i, firstUnwritable, sent.cause()));
                    return;
                }
            }
            flood.complete(new Flood(MAX_SENDS, firstUnwritable, null));
        }
    }

    private TestServer start(Flooder handler, Duration closeTimeout) {
        return TestServer.start(
                transport, handler, b -> b.maxOutboundBytes(MAX_OUTBOUND).closeTimeout(closeTimeout));
    }

    private static void assertRefusedForSlowConsumer(Flood flood) {
        assertThat(flood.failure())
                .as("a send failed before %d sends", MAX_SENDS)
                .isInstanceOf(SlowConsumerException.class);
        assertThat(flood.firstUnwritable())
                .as("isWritable() turned false before the refused send #%d", flood.sends())
                .isBetween(0, flood.sends() - 1);
    }

    @Test
    void dropsAClientThatNeverReadsOnceTheOutboundLimitIsReached() throws Exception {
        Flooder handler = new Flooder();
        Duration closeTimeout = Duration.ofMillis(500);
        try (TestServer server = start(handler, closeTimeout);
                RawWebSocketClient client = RawWebSocketClient.connect(server.port(), 4096)) {
            client.upgrade();
            assertRefusedForSlowConsumer(handler.flood.get(10, TimeUnit.SECONDS));
            // The client reads nothing: the 1013 close frame sits behind the backlog, so the close timeout ends it.
            assertThat(handler.awaitClose()).isEqualTo(new RecordingHandler.Closed(1013, "SLOW_CONSUMER"));
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> server.server().stats().openConnections() == 0);
            client.awaitClosed(Duration.ofSeconds(10)); // what the kernel held, then the end of the stream
        }
    }

    @Test
    void sendsTheSlowConsumerCloseToAClientThatResumesReading() throws Exception {
        Flooder handler = new Flooder();
        try (TestServer server = start(handler, Duration.ofSeconds(8));
                RawWebSocketClient client = RawWebSocketClient.connect(server.port(), 4096)) {
            client.upgrade();
            Flood flood = handler.flood.get(10, TimeUnit.SECONDS);
            assertRefusedForSlowConsumer(flood);
            client.timeout(Duration.ofSeconds(10));
            int texts = 0;
            ServerFrame frame;
            while ((frame = client.readFrameSkippingPings()).opcode() == ClientFrames.TEXT) {
                texts++;
            }
            assertThat(frame.isClose()
                            && frame.closeCode() == 1013
                            && frame.closeReason().equals("SLOW_CONSUMER"))
                    .as("%s after %d texts is close 1013 SLOW_CONSUMER", frame, texts)
                    .isTrue();
            assertThat(texts).as("every accepted send arrives before the close").isEqualTo(flood.sends());
            client.expectEof();
            assertThat(handler.awaitClose().code()).isEqualTo(1013);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> server.server().stats().openConnections() == 0);
        }
    }
}
