package dev.throng.core.transport;

import dev.throng.core.EchoHandler;
import dev.throng.core.TransportKind;
import dev.throng.core.test.TestServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Echo through the JDK's own WebSocket client, an independent witness, on both transports. */
class JdkClientEchoIT {
    private static final int[] SIZES = {0, 125, 126, 65535, 65536, 1 << 20};

    @ParameterizedTest
    @EnumSource(value = TransportKind.class, names = {"EPOLL", "NIO"})
    void echoesTextAndBinaryOfEveryLengthClass(TransportKind transport) throws Exception {
        try (TestServer server = TestServer.start(transport, new EchoHandler())) {
            Collector collector = new Collector();
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(server.uri("/echo"), collector).get(5, TimeUnit.SECONDS);
            for (int size : SIZES) {
                String text = "x".repeat(size);
                ws.sendText(text, true).get(5, TimeUnit.SECONDS);
                Object echoed = collector.messages.poll(5, TimeUnit.SECONDS);
                assertThat(echoed).as("text echo of %d bytes", size).isInstanceOf(String.class);
                assertThat(echoed.equals(text)).as("text echo of %d bytes is identical", size).isTrue();
                byte[] bytes = new byte[size];
                for (int i = 0; i < size; i++) {
                    bytes[i] = (byte) (i * 31);
                }
                ws.sendBinary(ByteBuffer.wrap(bytes), true).get(5, TimeUnit.SECONDS);
                Object echoedBytes = collector.messages.poll(5, TimeUnit.SECONDS);
                assertThat(echoedBytes).as("binary echo of %d bytes", size).isInstanceOf(byte[].class);
                assertThat(java.util.Arrays.equals((byte[]) echoedBytes, bytes))
                    .as("binary echo of %d bytes is identical", size).isTrue();
            }
            ws.sendClose(1000, "bye").get(5, TimeUnit.SECONDS);
            assertThat(collector.closed.get(5, TimeUnit.SECONDS)).isEqualTo(1000);
        }
    }

    @ParameterizedTest
    @EnumSource(value = TransportKind.class, names = {"EPOLL", "NIO"})
    void reassemblesFragmentedMessages(TransportKind transport) throws Exception {
        try (TestServer server = TestServer.start(transport, new EchoHandler())) {
            Collector collector = new Collector();
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(server.uri("/"), collector).get(5, TimeUnit.SECONDS);
            ws.sendText("héllo ", false).get(5, TimeUnit.SECONDS);
            ws.sendPing(ByteBuffer.wrap(new byte[] {1, 2, 3})).get(5, TimeUnit.SECONDS); // interleaved control frame
            ws.sendText("wörld", true).get(5, TimeUnit.SECONDS);
            assertThat(collector.pongs.poll(5, TimeUnit.SECONDS)).isEqualTo(new byte[] {1, 2, 3});
            assertThat(collector.messages.poll(5, TimeUnit.SECONDS)).isEqualTo("héllo wörld");
            ws.sendClose(1000, "").get(5, TimeUnit.SECONDS);
            assertThat(collector.closed.get(5, TimeUnit.SECONDS)).isEqualTo(1000);
        }
    }

    /** Gathers whole messages (the JDK client may deliver them in parts). */
    static final class Collector implements WebSocket.Listener {
        final LinkedBlockingQueue<Object> messages = new LinkedBlockingQueue<>();
        final LinkedBlockingQueue<byte[]> pongs = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final StringBuilder text = new StringBuilder();
        private final List<byte[]> binary = new ArrayList<>();

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
            binary.add(part);
            if (last) {
                int total = binary.stream().mapToInt(b -> b.length).sum();
                byte[] all = new byte[total];
                int at = 0;
                for (byte[] b : binary) {
                    System.arraycopy(b, 0, all, at, b.length);
                    at += b.length;
                }
                binary.clear();
                messages.add(all);
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
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closed.completeExceptionally(error);
        }
    }
}
