package dev.throng.core.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.throng.core.EchoHandler;
import dev.throng.core.TransportKind;
import dev.throng.core.test.ClientFrames;
import dev.throng.core.test.RawHttpResponse;
import dev.throng.core.test.RawWebSocketClient;
import dev.throng.core.test.TestServer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Admission control (issue #4): over a limit the upgrade is refused with plain HTTP before any upgrade, and the
 * connections already open are not disturbed.
 */
class AdmissionIT {

    @ParameterizedTest
    @EnumSource(
            value = TransportKind.class,
            names = {"EPOLL", "NIO"})
    void overTheConnectionCapUpgradesGet503WithRetryAfterWhileOpenConnectionsKeepWorking(TransportKind transport)
            throws Exception {
        try (TestServer server = TestServer.start(transport, new EchoHandler(), b -> b.maxConnections(3))) {
            List<RawWebSocketClient> open = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    RawWebSocketClient c = RawWebSocketClient.connect(server.port());
                    c.upgrade();
                    open.add(c);
                }
                RawHttpResponse shed = refused(server.port());
                assertThat(shed.status()).isEqualTo(503);
                assertThat(shed.header("X-Throng-Reason")).isEqualTo("OVER_CAPACITY");
                int retryAfter = Integer.parseInt(shed.header("Retry-After"));
                assertThat(retryAfter)
                        .as("Retry-After spread between the base (5 s) and twice it")
                        .isBetween(5, 10);

                for (RawWebSocketClient c : open) {
                    c.write(ClientFrames.frame(ClientFrames.FIN | ClientFrames.TEXT, ClientFrames.utf8("still here")));
                    assertThat(c.readFrameSkippingPings().text()).isEqualTo("still here");
                }

                open.remove(0).close();
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> server.server().stats().openConnections() == 2);
                RawWebSocketClient again = RawWebSocketClient.connect(server.port());
                again.upgrade();
                open.add(again);
                assertThat(server.server().stats().handshakesShed()).isEqualTo(1);
            } finally {
                for (RawWebSocketClient c : open) {
                    c.close();
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = TransportKind.class,
            names = {"EPOLL", "NIO"})
    void overThePerAddressCapUpgradesGet429(TransportKind transport) throws Exception {
        try (TestServer server = TestServer.start(transport, new EchoHandler(), b -> b.maxConnectionsPerAddress(2))) {
            try (RawWebSocketClient a = RawWebSocketClient.connect(server.port());
                    RawWebSocketClient b = RawWebSocketClient.connect(server.port())) {
                a.upgrade();
                b.upgrade();
                RawHttpResponse refused = refused(server.port());
                assertThat(refused.status()).isEqualTo(429);
                assertThat(refused.header("X-Throng-Reason")).isEqualTo("TOO_MANY_CONNECTIONS_FROM_ADDRESS");
                assertThat(refused.header("Retry-After")).isNotNull();
            }
            // Their slots are given back when they close.
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> server.server().stats().openConnections() == 0);
            try (RawWebSocketClient c = RawWebSocketClient.connect(server.port())) {
                c.upgrade();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = TransportKind.class,
            names = {"EPOLL", "NIO"})
    void overTheHandshakeRateUpgradesGet503(TransportKind transport) throws Exception {
        try (TestServer server = TestServer.start(transport, new EchoHandler(), b -> b.handshakesPerSecond(5))) {
            int upgraded = 0;
            int shed = 0;
            List<RawWebSocketClient> clients = new ArrayList<>();
            long start = System.nanoTime();
            try {
                for (int i = 0; i < 20; i++) {
                    RawWebSocketClient c = RawWebSocketClient.connect(server.port());
                    clients.add(c);
                    c.write(RawWebSocketClient.upgradeRequest("/"));
                    int status = c.readHttpResponse().status();
                    if (status == 101) {
                        upgraded++;
                    } else {
                        assertThat(status).isEqualTo(503);
                        shed++;
                    }
                }
            } finally {
                for (RawWebSocketClient c : clients) {
                    c.close();
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            // A burst of 20 against a bucket of 5 per second: the bucket's 5, plus what refilled meanwhile.
            assertThat(upgraded).isGreaterThanOrEqualTo(5).isLessThanOrEqualTo(5 + (int) Math.ceil(seconds * 5) + 1);
            if (seconds < 2) {
                assertThat(shed).as("a burst faster than the rate is shed").isPositive();
            }
        }
    }

    private static RawHttpResponse refused(int port) throws IOException {
        try (RawWebSocketClient c = RawWebSocketClient.connect(port)) {
            c.write(RawWebSocketClient.upgradeRequest("/"));
            RawHttpResponse response = c.readHttpResponse();
            c.expectEof();
            return response;
        }
    }
}
