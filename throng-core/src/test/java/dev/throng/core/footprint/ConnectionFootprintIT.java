package dev.throng.core.footprint;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The guard on per-connection heap (issue #4): a server in its own JVM holds 3,000 idle connections (each with
 * permessage-deflate negotiated, as browsers do), and the live
 * heap it gained (class histograms taken by {@code jcmd}, each after a full GC) divided by the connections must stay
 * under the budget. A regression that adds a field, a buffer or an object per connection shows here.
 *
 * <p>Measured figures and their history are in {@code docs/benchmarks.md}; this asserts only the ceiling.
 */
class ConnectionFootprintIT {
    /**
     * As a benchmark (docs/benchmarks.md) the same measurement takes other values: {@code -Dfootprint.connections}
     * (up to ~19,000 here: the client sockets live in the test JVM), {@code -Dfootprint.java} (the server's java
     * binary, e.g. JDK 25) and {@code -Dfootprint.jvmArgs} (e.g. {@code -XX:+UseCompactObjectHeaders}).
     */
    private static final int CONNECTIONS = Integer.getInteger("footprint.connections", 3000);
    /**
     * Ceilings per transport: measured ~300 B on epoll (lean connections) and ~1,770 B on NIO (the fallback, one
     * Netty channel per connection) on JDK 17 (docs/benchmarks.md); they leave room for noise, not for growth.
     */
    private static final Map<String, Long> BUDGET_BYTES = Map.of("EPOLL", 400L, "NIO", 1900L);

    @ParameterizedTest
    @ValueSource(strings = {"EPOLL", "NIO"})
    void idleConnectionsStayWithinTheHeapBudget(String transport) throws Exception {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(System.getProperty("footprint.java", javaBin("java")),
            "-Xmx1g", "-XX:+UseG1GC"));
        String jvmArgs = System.getProperty("footprint.jvmArgs", "");
        if (!jvmArgs.isBlank()) {
            command.addAll(List.of(jvmArgs.trim().split("\\s+")));
        }
        command.addAll(List.of("-cp", classpath, FootprintServerMain.class.getName(), transport));
        Process server = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<SocketChannel> clients = new ArrayList<>();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            int port = -1;
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith("PORT ")) {
                    port = Integer.parseInt(line.substring(5).trim());
                    break;
                }
            }
            assertThat(port).as("server started").isPositive();
            openOne(port).close(); // warm up class loading and pools before the baseline
            Thread.sleep(200);
            long before = liveHeap(server.pid());
            for (int i = 0; i < CONNECTIONS; i++) {
                clients.add(openOne(port));
            }
            long after = liveHeap(server.pid());
            long perConnection = (after - before) / CONNECTIONS;
            System.out.printf("%s: %d B live heap per idle connection (%d connections, %s %s)%n", transport,
                perConnection, CONNECTIONS, command.get(0), jvmArgs);
            assertThat(perConnection).as("live heap per idle connection on %s", transport)
                .isPositive().isLessThan(BUDGET_BYTES.get(transport));
        } finally {
            for (SocketChannel c : clients) {
                c.close();
            }
            server.destroyForcibly();
        }
    }

    private static SocketChannel openOne(int port) throws IOException {
        SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
        ch.write(ByteBuffer.wrap(("GET /footprint HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            // Offered as browsers do: the budget covers connections that negotiated compression (RFC 7692).
            + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII)));
        ByteBuffer response = ByteBuffer.allocate(512);
        while (!new String(response.array(), 0, response.position(), StandardCharsets.US_ASCII).contains("\r\n\r\n")) {
            if (ch.read(response) < 0) {
                throw new IOException("closed during handshake");
            }
        }
        String head = new String(response.array(), 0, response.position(), StandardCharsets.US_ASCII);
        if (!head.startsWith("HTTP/1.1 101") || !head.contains("permessage-deflate")) {
            throw new IOException("expected an upgrade with permessage-deflate: " + head.lines().findFirst().orElse(""));
        }
        return ch;
    }

    /** Bytes of live objects in the JVM {@code pid}, from a class histogram (which runs a full GC first). */
    private static long liveHeap(long pid) throws IOException, InterruptedException {
        String java = System.getProperty("footprint.java", javaBin("java"));
        String jcmdBin = Path.of(java).resolveSibling("jcmd").toString();
        Process jcmd = new ProcessBuilder(jcmdBin, Long.toString(pid), "GC.class_histogram")
            .redirectErrorStream(true).start();
        String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        jcmd.waitFor();
        for (String line : output.split("\n")) {
            String t = line.trim();
            if (t.startsWith("Total")) {
                String[] parts = t.split("\\s+");
                return Long.parseLong(parts[2]);
            }
        }
        throw new IOException("no histogram total in jcmd output: " + output.lines().limit(3).toList());
    }

    private static String javaBin(String tool) {
        return Path.of(System.getProperty("java.home"), "bin", tool).toString();
    }
}
