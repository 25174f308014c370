package dev.throng.gateway.footprint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.throng.core.test.LiveHeap;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The guard on what an idle Pusher connection subscribed to one channel costs (issue #17: "an idle subscribed
 * connection ≤ 250 B of live heap", with the engine's ~180 B under it): a gateway in its own JVM holds connections
 * that each subscribed to one of 100 public channels, and the live heap it gained (class histograms after full
 * collections) divided by the connections must stay under the budget. A field, an object or a map per connection or
 * per subscription shows here.
 *
 * <p>Measured figures go to docs/benchmarks.md; this asserts only the ceiling. {@code -Dfootprint.connections} and
 * {@code -Dfootprint.java} / {@code -Dfootprint.jvmArgs} make it a benchmark, as core's ConnectionFootprintIT.
 */
class GatewayFootprintIT {
    private static final int CONNECTIONS = Integer.getInteger("footprint.connections", 3000);
    private static final int CHANNELS = 100;
    /** The target; measured 227 B at 3,000 on JDK 17 (docs/benchmarks.md). */
    private static final long BUDGET_BYTES = 250;

    @Test
    void anIdleConnectionSubscribedToOneChannelStaysWithinTheBudget() throws Exception {
        String java = System.getProperty(
                "footprint.java",
                Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(java, "-Xmx1g", "-XX:+UseG1GC"));
        String jvmArgs = System.getProperty("footprint.jvmArgs", "");
        if (!jvmArgs.isBlank()) {
            command.addAll(List.of(jvmArgs.trim().split("\\s+")));
        }
        command.addAll(List.of(
                "-Dio.netty.leakDetection.level=disabled", "-cp", classpath, GatewayFootprintMain.class.getName()));
        Process server = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<SocketChannel> clients = new ArrayList<>();
        try {
            int port = portOf(server);
            for (int i = 0; i < CHANNELS; i++) { // every channel made once, and the classes of the path loaded
                subscribed(port, "ch-" + i).close();
            }
            Thread.sleep(300);
            Map<String, Long> before = LiveHeap.histogram(java, server.pid());
            for (int i = 0; i < CONNECTIONS; i++) {
                clients.add(subscribed(port, "ch-" + (i % CHANNELS)));
            }
            Map<String, Long> after = LiveHeap.histogram(java, server.pid());
            long perConnection = (after.get("Total") - before.get("Total")) / CONNECTIONS;
            System.out.printf(
                    "%d B live heap per idle connection subscribed to one of %d channels (%d connections, %s"
                            + " %s); grown most: %s%n",
                    perConnection, CHANNELS, CONNECTIONS, java, jvmArgs, LiveHeap.grownMost(before, after));
            assertThat(perConnection)
                    .as("live heap per idle subscribed connection; grown most: %s", LiveHeap.grownMost(before, after))
                    .isPositive()
                    .isLessThanOrEqualTo(BUDGET_BYTES);
        } finally {
            for (SocketChannel c : clients) {
                c.close();
            }
            server.destroyForcibly();
        }
    }

    private static int portOf(Process server) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith("PORT ")) {
                return Integer.parseInt(line.substring(5).trim());
            }
        }
        throw new IOException("the gateway exited before printing its port");
    }

    /** A connection as pusher-js opens it (permessage-deflate offered), subscribed to {@code channel}. */
    private static SocketChannel subscribed(int port, String channel) throws IOException {
        SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
        ch.write(ByteBuffer.wrap(("GET /app/app-key?protocol=7&client=js&version=8.6.0&flash=false HTTP/1.1\r\n"
                        + "Host: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                        + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII)));
        ByteBuffer in = ByteBuffer.allocate(8192);
        readHead(ch, in);
        readFrame(ch, in); // pusher:connection_established (compressed, as with a browser)
        byte[] subscribe = ("{\"event\":\"pusher:subscribe\",\"data\":{\"auth\":\"\",\"channel\":\"" + channel + "\"}}")
                .getBytes(StandardCharsets.UTF_8);
        ByteBuffer frame = ByteBuffer.allocate(6 + subscribe.length);
        frame.put((byte) 0x81)
                .put((byte) (0x80 | subscribe.length))
                .putInt(0)
                .put(subscribe)
                .flip(); // mask 0
        ch.write(frame);
        readFrame(ch, in); // pusher_internal:subscription_succeeded
        return ch;
    }

    /** Reads the 101 response's head; what follows it stays in {@code in}. */
    private static void readHead(SocketChannel ch, ByteBuffer in) throws IOException {
        for (; ; ) {
            String seen = new String(in.array(), 0, in.position(), StandardCharsets.ISO_8859_1);
            int end = seen.indexOf("\r\n\r\n");
            if (end >= 0) {
                if (!seen.startsWith("HTTP/1.1 101")) {
                    throw new IOException(
                            "no upgrade: " + seen.lines().findFirst().orElse(""));
                }
                in.flip().position(end + 4);
                in.compact();
                return;
            }
            if (ch.read(in) < 0) {
                throw new IOException("closed during the handshake");
            }
        }
    }

    /** Reads one whole server frame (unmasked; payload length up to 64 KiB) and drops it. */
    private static void readFrame(SocketChannel ch, ByteBuffer in) throws IOException {
        for (; ; ) {
            if (in.position() >= 2) {
                int len7 = in.get(1) & 0x7F;
                int header = len7 == 126 ? 4 : 2;
                if (in.position() >= header) {
                    int length = len7 == 126 ? ((in.get(2) & 0xFF) << 8 | (in.get(3) & 0xFF)) : len7;
                    if (in.position() >= header + length) {
                        in.flip().position(header + length);
                        in.compact();
                        return;
                    }
                }
            }
            if (ch.read(in) < 0) {
                throw new IOException("closed while a frame was expected");
            }
        }
    }
}
