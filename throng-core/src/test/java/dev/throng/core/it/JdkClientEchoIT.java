package dev.throng.core.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.throng.core.EchoHandler;
import dev.throng.core.TransportKind;
import dev.throng.core.test.RecordingListener;
import dev.throng.core.test.TestServer;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Echo through the JDK's own WebSocket client, an independent witness, on both transports. */
class JdkClientEchoIT {
    private static final int[] SIZES = {0, 125, 126, 65535, 65536, 1 << 20};

    @ParameterizedTest
    @EnumSource(
            value = TransportKind.class,
            names = {"EPOLL", "NIO"})
    void echoesTextAndBinaryOfEveryLengthClass(TransportKind transport) throws Exception {
        try (TestServer server = TestServer.start(transport, new EchoHandler())) {
            RecordingListener collector = new RecordingListener();
            WebSocket ws = RecordingListener.connect(server.uri("/echo"), collector);
            for (int size : SIZES) {
                String text = "x".repeat(size);
                ws.sendText(text, true).get(5, TimeUnit.SECONDS);
                Object echoed = collector.messages.poll(5, TimeUnit.SECONDS);
                assertThat(echoed).as("text echo of %d bytes", size).isInstanceOf(String.class);
                assertThat(echoed.equals(text))
                        .as("text echo of %d bytes is identical", size)
                        .isTrue();
                byte[] bytes = new byte[size];
                for (int i = 0; i < size; i++) {
                    bytes[i] = (byte) (i * 31);
                }
                ws.sendBinary(ByteBuffer.wrap(bytes), true).get(5, TimeUnit.SECONDS);
                Object echoedBytes = collector.messages.poll(5, TimeUnit.SECONDS);
                assertThat(echoedBytes).as("binary echo of %d bytes", size).isInstanceOf(byte[].class);
                assertThat(java.util.Arrays.equals((byte[]) echoedBytes, bytes))
                        .as("binary echo of %d bytes is identical", size)
                        .isTrue();
            }
            // Every byte read is counted once, however many reads a large frame took (a held frame buffer read into
            // again once counted its earlier bytes anew: 3.6 times the traffic under 1 MiB messages).
            long payload = 0;
            for (int size : SIZES) {
                payload += 2L * size;
            }
            assertThat(server.server().stats().bytesIn())
                    .as("bytes in: the payloads plus frame headers and the upgrade request")
                    .isBetween(payload, payload + 4096);
            ws.sendClose(1000, "bye").get(5, TimeUnit.SECONDS);
            assertThat(collector.awaitClose().code()).isEqualTo(1000);
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = TransportKind.class,
            names = {"EPOLL", "NIO"})
    void reassemblesFragmentedMessages(TransportKind transport) throws Exception {
        try (TestServer server = TestServer.start(transport, new EchoHandler())) {
            RecordingListener collector = new RecordingListener();
            WebSocket ws = RecordingListener.connect(server.uri("/"), collector);
            ws.sendText("héllo ", false).get(5, TimeUnit.SECONDS);
            ws.sendPing(ByteBuffer.wrap(new byte[] {1, 2, 3})).get(5, TimeUnit.SECONDS); // interleaved control frame
            ws.sendText("wörld", true).get(5, TimeUnit.SECONDS);
            assertThat(collector.pongs.poll(5, TimeUnit.SECONDS)).isEqualTo(new byte[] {1, 2, 3});
            assertThat(collector.messages.poll(5, TimeUnit.SECONDS)).isEqualTo("héllo wörld");
            ws.sendClose(1000, "").get(5, TimeUnit.SECONDS);
            assertThat(collector.awaitClose().code()).isEqualTo(1000);
        }
    }
}
