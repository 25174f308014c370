package dev.throng.core.it;

import static dev.throng.core.test.ClientFrames.CLOSE;
import static dev.throng.core.test.ClientFrames.FIN;
import static dev.throng.core.test.ClientFrames.TEXT;
import static dev.throng.core.test.ClientFrames.ascii;
import static dev.throng.core.test.ClientFrames.frame;
import static org.assertj.core.api.Assertions.assertThat;

import dev.throng.core.TransportKind;
import dev.throng.core.WebSocketConnection;
import dev.throng.core.test.ClientFrames;
import dev.throng.core.test.RawWebSocketClient;
import dev.throng.core.test.RecordingHandler;
import dev.throng.core.test.ServerFrame;
import dev.throng.core.test.TestServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The closing handshake (RFC 6455 §5.5.1, §7.1) seen from a raw socket: who closes TCP, and when. */
@ParameterizedClass(name = "{0}")
@EnumSource(
        value = TransportKind.class,
        names = {"EPOLL", "NIO"})
class ClosingHandshakeIT {
    @Parameter
    TransportKind transport;

    /** Closes every connection as soon as it opens. */
    static final class ClosingOnOpen extends RecordingHandler {
        @Override
        public void onOpen(WebSocketConnection connection) {
            super.onOpen(connection);
            connection.close(4000, "bye");
        }
    }

    @Test
    void answersTheClientsCloseAndThenClosesTcpItself() throws Exception {
        RecordingHandler handler = new RecordingHandler();
        // A long close timeout: the TCP close must follow the handshake, not the timer.
        try (TestServer server = TestServer.start(transport, handler, b -> b.closeTimeout(Duration.ofSeconds(8)));
                RawWebSocketClient client = RawWebSocketClient.connect(server.port())) {
            client.upgrade();
            client.write(ClientFrames.close(1000, "done"));
            long start = System.nanoTime();
            client.expectCloseThenEof(1000, ""); // §5.5.1: the answer echoes the code
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
            assertThat(handler.awaitClose()).isEqualTo(new RecordingHandler.Closed(1000, "done"));
        }
    }

    @Test
    void answersACloseWithoutCodeWithACloseWithoutCode() throws Exception {
        RecordingHandler handler = new RecordingHandler();
        try (TestServer server = TestServer.start(transport, handler);
                RawWebSocketClient client = RawWebSocketClient.connect(server.port())) {
            client.upgrade();
            client.write(frame(FIN | CLOSE, new byte[0]));
            ServerFrame close = client.readFrameSkippingPings();
            assertThat(close.isClose()).as("%s is a close frame", close).isTrue();
            assertThat(close.payload())
                    .as("1005 is never sent on the wire (§7.4.1)")
                    .isEmpty();
            client.expectEof();
            assertThat(handler.awaitClose()).isEqualTo(new RecordingHandler.Closed(1005, ""));
        }
    }

    @Test
    void processesNothingAfterTheClientsClose() throws Exception {
        RecordingHandler handler = new RecordingHandler();
        try (TestServer server = TestServer.start(transport, handler);
                RawWebSocketClient client = RawWebSocketClient.connect(server.port())) {
            client.upgrade();
            // §5.5.1: after a close frame no more data frames; the text behind it must not be echoed.
            client.write(ClientFrames.close(1001, "away"), frame(FIN | TEXT, ascii("too late")));
            client.expectCloseThenEof(1001, "");
            assertThat(handler.awaitClose()).isEqualTo(new RecordingHandler.Closed(1001, "away"));
        }
    }

    @Test
    void closesTcpAsSoonAsTheClientAnswersTheServersClose() throws Exception {
        RecordingHandler handler = new ClosingOnOpen();
        try (TestServer server = TestServer.start(transport, handler, b -> b.closeTimeout(Duration.ofSeconds(8)));
                RawWebSocketClient client = RawWebSocketClient.connect(server.port())) {
            client.upgrade();
            ServerFrame close = client.readFrameSkippingPings();
            assertThat(close.isClose()
                            && close.closeCode() == 4000
                            && close.closeReason().equals("bye"))
                    .as("%s is close 4000 'bye'", close)
                    .isTrue();
            long start = System.nanoTime();
            client.write(ClientFrames.close(4000, ""));
            client.expectEof();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
            assertThat(handler.awaitClose()).isEqualTo(new RecordingHandler.Closed(4000, ""));
        }
    }

    @Test
    void disconnectsAPeerThatNeverAnswersTheServersCloseAfterTheCloseTimeout() throws Exception {
        RecordingHandler handler = new ClosingOnOpen();
        Duration closeTimeout = Duration.ofMillis(300);
        try (TestServer server = TestServer.start(transport, handler, b -> b.closeTimeout(closeTimeout));
                RawWebSocketClient client = RawWebSocketClient.connect(server.port())) {
            client.upgrade();
            ServerFrame close = client.readFrameSkippingPings();
            assertThat(close.isClose() && close.closeCode() == 4000)
                    .as("%s is close 4000", close)
                    .isTrue();
            // The client reads on but never answers.
            Duration waited = client.awaitClosed(Duration.ofSeconds(5));
            assertThat(waited).isGreaterThan(closeTimeout.dividedBy(2)).isLessThan(Duration.ofSeconds(3));
            assertThat(handler.awaitClose()).isEqualTo(new RecordingHandler.Closed(4000, "bye"));
        }
    }

    @Test
    void drainClosesEveryConnectionWithGoingAwayAndWaitsForTheHandshakes() throws Exception {
        RecordingHandler handler = new RecordingHandler();
        TestServer server = TestServer.start(transport, handler);
        try (RawWebSocketClient a = RawWebSocketClient.connect(server.port());
                RawWebSocketClient b = RawWebSocketClient.connect(server.port())) {
            a.upgrade();
            b.upgrade();
            handler.awaitOpen();
            handler.awaitOpen();
            Thread drain = new Thread(() -> server.server().drain(Duration.ofMillis(200)), "drain");
            drain.start();
            for (RawWebSocketClient client : List.of(a, b)) {
                ServerFrame close = client.readFrameSkippingPings();
                assertThat(close.isClose() && close.closeCode() == 1001)
                        .as("%s is close 1001", close)
                        .isTrue();
                client.write(ClientFrames.close(1001, ""));
                client.expectEof();
            }
            drain.join(10_000);
            assertThat(drain.isAlive()).as("drain returned").isFalse();
            assertThat(handler.awaitClose().code()).isEqualTo(1001);
            assertThat(handler.awaitClose().code()).isEqualTo(1001);
        } finally {
            server.close();
        }
    }

    /**
     * Stopping the server ends every connection on every loop, also one that holds part of a large frame: each gets
     * its onClose and what it held is released (the leak detector fails the build otherwise). Netty ends a loop
     * without closing what is registered on it when the loop notices the shutdown late (see LoopClosers); rounds
     * of stops make that race likely to show.
     */
    @Test
    void closeEndsEveryConnectionOnEveryLoopEvenMidFrame() throws Exception {
        for (int round = 0; round < 20; round++) {
            RecordingHandler handler = new RecordingHandler();
            TestServer server = TestServer.start(transport, handler, b -> b.ioThreads(2));
            List<RawWebSocketClient> clients = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) {
                    RawWebSocketClient client = RawWebSocketClient.connect(server.port());
                    clients.add(client);
                    client.upgrade();
                    byte[] whole = frame(FIN | ClientFrames.BINARY, new byte[256 * 1024]);
                    client.write(java.util.Arrays.copyOf(whole, 64 * 1024)); // a quarter of the frame: held
                }
                for (int i = 0; i < clients.size(); i++) {
                    handler.awaitOpen();
                }
                Thread.sleep(20); // the partial frames are read and held
                server.close();
                assertThat(handler.closed)
                        .as("round %d: an onClose per connection once close() returned", round)
                        .hasSize(clients.size());
                assertThat(server.server().stats().openConnections()).isZero();
            } finally {
                server.close();
                for (RawWebSocketClient client : clients) {
                    client.close();
                }
            }
        }
    }
}
