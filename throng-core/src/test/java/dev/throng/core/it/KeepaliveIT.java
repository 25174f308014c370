package dev.throng.core.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.throng.core.TransportKind;
import dev.throng.core.test.ClientFrames;
import dev.throng.core.test.RawWebSocketClient;
import dev.throng.core.test.RecordingHandler;
import dev.throng.core.test.RecordingListener;
import dev.throng.core.test.ServerFrame;
import dev.throng.core.test.TestServer;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Keepalive pings (one jittered sweep per event loop): healthy peers stay, silent ones go, pings are spread. */
@ParameterizedClass(name = "{0}")
@EnumSource(
        value = TransportKind.class,
        names = {"EPOLL", "NIO"})
class KeepaliveIT {
    static final Duration INTERVAL = Duration.ofSeconds(1);

    @Parameter
    TransportKind transport;

    private TestServer start(RecordingHandler handler) {
        return TestServer.start(transport, handler, b -> b.pingInterval(INTERVAL));
    }

    @Test
    void keepsAHealthyClientThatAnswersPingsOpen() throws Exception {
        RecordingHandler handler = new RecordingHandler();
        try (TestServer server = start(handler)) {
            RecordingListener listener = new RecordingListener();
            WebSocket ws = RecordingListener.connect(server.uri("/"), listener); // the JDK client answers pings
            Thread.sleep(INTERVAL.multipliedBy(4).toMillis());
            assertThat(listener.closed)
                    .as("closed after %s", INTERVAL.multipliedBy(4))
                    .isNotDone();
            assertThat(server.server().stats().pingsSent()).isGreaterThanOrEqualTo(3);
            assertThat(server.server().stats().deadPeers()).isZero();
            ws.sendText("still there", true).get(5, TimeUnit.SECONDS);
            assertThat(listener.messages.poll(5, TimeUnit.SECONDS)).isEqualTo("still there");
            ws.sendClose(1000, "").get(5, TimeUnit.SECONDS);
            assertThat(listener.awaitClose().code()).isEqualTo(1000);
        }
    }

    @Test
    void disconnectsAPeerThatNeverAnswersPingsWithinTwoIntervals() throws Exception {
        RecordingHandler handler = new RecordingHandler();
        try (TestServer server = start(handler);
                RawWebSocketClient client = RawWebSocketClient.connect(server.port())) {
            client.upgrade();
            long start = System.nanoTime();
            int pings = 0;
            // Read (so TCP stays healthy) but never answer: the server must give up on the peer.
            try {
                for (; ; ) {
                    ServerFrame frame = client.readFrame();
                    assertThat(frame.opcode()).as("%s is a ping", frame).isEqualTo(ClientFrames.PING);
                    pings++;
                }
            } catch (EOFException | SocketException closed) {
                // the server closed TCP: expected
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(pings).isGreaterThanOrEqualTo(1);
            assertThat(took).isLessThan(INTERVAL.multipliedBy(2).plusMillis(700));
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> server.server().stats().deadPeers() == 1);
            assertThat(handler.awaitClose().code()).isEqualTo(1006);
            assertThat(server.server().stats().openConnections()).isZero();
        }
    }

    @Test
    void tellsADeadPeerTheApplicationsCloseCodeBeforeClosingWhenItHasOne() throws Exception {
        RecordingHandler handler = new RecordingHandler() {
            @Override
            public int deadPeerCloseCode() {
                return 4201; // what the Pusher gateway sends: pusher-js reconnects at once
            }
        };
        try (TestServer server = start(handler);
                RawWebSocketClient client = RawWebSocketClient.connect(server.port())) {
            client.upgrade();
            ServerFrame frame;
            do {
                frame = client.readFrame(); // pings, never answered
            } while (frame.opcode() == ClientFrames.PING);
            assertThat(frame.isClose()).as("%s", frame).isTrue();
            assertThat(frame.closeCode()).isEqualTo(4201);
            assertThat(frame.closeReason()).isEqualTo("PONG_TIMEOUT");
            client.expectEof();
            assertThat(handler.awaitClose().code())
                    .as("no answer was awaited: the peer is taken for dead")
                    .isEqualTo(1006);
        }
    }

    @Test
    void spreadsThePingsOfManyConnectionsOverTheInterval() throws Exception {
        int count = 200;
        ExecutorService pool = Executors.newFixedThreadPool(count);
        List<RawWebSocketClient> clients = Collections.synchronizedList(new ArrayList<>());
        try (TestServer server = start(new RecordingHandler())) {
            // Each thread opens a connection and reads at once, so a ping is timed when it arrives.
            List<Future<long[]>> opened = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                opened.add(pool.submit(() -> {
                    RawWebSocketClient client = RawWebSocketClient.connect(server.port());
                    clients.add(client);
                    client.upgrade();
                    long upgraded = System.nanoTime();
                    return new long[] {upgraded, firstPingNanos(client)};
                }));
            }
            long[][] times = new long[count][];
            for (int i = 0; i < count; i++) {
                times[i] = opened.get(i).get(10, TimeUnit.SECONDS);
            }
            long firstOpen = Long.MAX_VALUE;
            long lastOpen = Long.MIN_VALUE;
            long latest = 0;
            for (long[] t : times) {
                firstOpen = Math.min(firstOpen, t[0]);
                lastOpen = Math.max(lastOpen, t[0]);
                latest = Math.max(latest, t[1] - t[0]);
            }
            long[] arrivals = new long[count];
            for (int i = 0; i < count; i++) {
                arrivals[i] = times[i][1] - firstOpen;
            }
            Arrays.sort(arrivals);
            long p10 = arrivals[count / 10];
            long p90 = arrivals[count * 9 / 10];
            assertThat(Duration.ofNanos(latest))
                    .as("every connection is pinged within an interval of opening")
                    .isLessThan(INTERVAL.plusMillis(700));
            assertThat(Duration.ofNanos(p90 - p10))
                    .as(
                            "p10..p90 of first pings (p10 %d ms, p90 %d ms; opening took %d ms)",
                            p10 / 1_000_000, p90 / 1_000_000, (lastOpen - firstOpen) / 1_000_000)
                    .isGreaterThan(INTERVAL.multipliedBy(4).dividedBy(10));
        } finally {
            for (RawWebSocketClient client : clients) {
                client.close();
            }
            pool.shutdownNow();
        }
    }

    private static long firstPingNanos(RawWebSocketClient client) throws IOException {
        ServerFrame frame = client.readFrame();
        long at = System.nanoTime();
        if (frame.opcode() != ClientFrames.PING) {
            throw new AssertionError("expected a ping, got " + frame);
        }
        return at;
    }
}
