package dev.throng.core.footprint;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The guard on the allocation-free idle path (issue #4, item 3): a server in its own JVM (epoll) holds 2,000 idle
 * connections with keepalive either way: it pings them every second and a selector here answers each ping with a
 * pong, or (its pings off) the clients ping it twice a second and it answers. Over a 3-second window the server's
 * I/O threads must allocate (nearly) nothing per ping: a ping or pong path that allocates an object again shows here
 * as tens of bytes per ping, and on a full-size server as young collections at idle.
 *
 * <p>Run on this JVM and, when one is installed, on a JDK 24 or later too: there Netty works a direct buffer's address
 * out through a {@code MemorySegment} on every call, which once made every ping allocate on JDK 25 only.
 */
class IdleAllocationIT {
    private static final int CONNECTIONS = 2000;
    private static final long PING_INTERVAL_MS = 1000;
    /** Measured 0 B per ping on JDK 17 and 25; an object per ping is at least 16 B. */
    private static final double BUDGET_BYTES_PER_PING = 8;

    /** Who sends the keepalive pings. */
    enum Pinger {
        SERVER,
        CLIENTS
    }

    static Stream<Arguments> cases() throws IOException {
        return javas().flatMap(
                        java -> Stream.of(Arguments.of(java, Pinger.SERVER), Arguments.of(java, Pinger.CLIENTS)));
    }

    static Stream<String> javas() throws IOException {
        List<String> javas = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        Path jvms = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (Stream<Path> dirs = Files.list(jvms)) {
                dirs.filter(dir -> featureVersion(dir) >= 24 && Files.isExecutable(dir.resolve("bin/java")))
                        .sorted()
                        .findFirst()
                        .ifPresent(dir -> javas.add(dir.resolve("bin/java").toString()));
            }
        }
        return javas.stream();
    }

    @ParameterizedTest(name = "{1} pings, {0}")
    @MethodSource("cases")
    void idleConnectionsWithPingsAllocateNothingOnTheIoThreads(String java, Pinger pinger) throws Exception {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        // C1 only, as `throng serve` runs its workers (WorkerPlan): C2's escape analysis could hide an allocation
        // that C1 makes. The leak detector's sampled records are allocations by design, not the idle path's: off.
        Process server = new ProcessBuilder(
                        java,
                        "-Xmx256m",
                        "-XX:TieredStopAtLevel=1",
                        "-Dio.netty.leakDetection.level=disabled",
                        "-cp",
                        classpath,
                        FootprintServerMain.class.getName(),
                        "EPOLL",
                        pinger == Pinger.SERVER ? Long.toString(PING_INTERVAL_MS) : "0")
                .redirectErrorStream(true)
                .start();
        List<SocketChannel> clients = new ArrayList<>();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong answers = new AtomicLong(); // received here, the server's pongs to the clients' pings
        Thread ponger = null;
        Thread clientPings = null;
        Selector selector = Selector.open();
        try {
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            PrintStream in = new PrintStream(server.getOutputStream(), true, StandardCharsets.UTF_8);
            int port = Integer.parseInt(readLine(out, "PORT ").trim());
            for (int i = 0; i < CONNECTIONS; i++) {
                SocketChannel client = upgrade(port);
                client.configureBlocking(false);
                client.register(selector, SelectionKey.OP_READ);
                clients.add(client);
            }
            ponger = new Thread(() -> answerPings(selector, running, answers), "ponger");
            ponger.start();
            if (pinger == Pinger.CLIENTS) {
                clientPings = new Thread(() -> pingEvery(PING_INTERVAL_MS / 2, clients, running), "client-pings");
                clientPings.start();
            }
            Thread.sleep(2 * PING_INTERVAL_MS + 500); // every connection pinged twice or more: code paths warm

            long[] before = allocation(in, out);
            long answersBefore = answers.get();
            Thread.sleep(3 * PING_INTERVAL_MS);
            long[] after = allocation(in, out);

            long pings = pinger == Pinger.SERVER ? after[1] - before[1] : answers.get() - answersBefore;
            double perPing = (double) (after[0] - before[0]) / pings;
            System.out.printf(
                    "%s, %s pings: %d B allocated by the I/O threads over %d pings (%.2f B per ping)%n",
                    java, pinger, after[0] - before[0], pings, perPing);
            assertThat(pings).as("pings in the window").isGreaterThanOrEqualTo(2L * CONNECTIONS);
            assertThat(perPing)
                    .as("bytes allocated by the I/O threads per ping, %s", java)
                    .isLessThan(BUDGET_BYTES_PER_PING);
        } finally {
            running.set(false);
            if (ponger != null) {
                ponger.join(5000); // before the selector closes under it
            }
            if (clientPings != null) {
                clientPings.join(5000);
            }
            selector.close();
            for (SocketChannel c : clients) {
                c.close();
            }
            server.destroyForcibly();
        }
    }

    /** The server's I/O-thread allocation so far and its pings sent: {@code ALLOC bytes pings}. */
    private static long[] allocation(PrintStream in, BufferedReader out) throws IOException {
        in.println("ALLOC");
        String[] parts = readLine(out, "ALLOC ").trim().split(" ");
        return new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1])};
    }

    private static String readLine(BufferedReader out, String prefix) throws IOException {
        for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith(prefix)) {
                return line.substring(prefix.length());
            }
        }
        throw new IOException("the server exited before printing " + prefix.trim());
    }

    /**
     * Each ping (an empty frame from this server: 0x89 0x00) gets a pong with a zero mask key; each pong from the
     * server (0x8A 0x00, to a client's ping) is counted.
     */
    private static void answerPings(Selector selector, AtomicBoolean running, AtomicLong answers) {
        ByteBuffer buf = ByteBuffer.allocate(256);
        ByteBuffer pong = ByteBuffer.wrap(new byte[] {(byte) 0x8A, (byte) 0x80, 0, 0, 0, 0});
        try {
            while (running.get()) {
                selector.select(50);
                for (SelectionKey key : selector.selectedKeys()) {
                    SocketChannel ch = (SocketChannel) key.channel();
                    buf.clear();
                    int n = ch.read(buf);
                    for (int i = 0; i + 1 < n; i += 2) {
                        if (buf.get(i) == (byte) 0x89 && buf.get(i + 1) == 0) {
                            synchronized (ch) { // the client-pings thread writes too
                                ch.write(pong.clear());
                            }
                        } else if (buf.get(i) == (byte) 0x8A && buf.get(i + 1) == 0) {
                            answers.incrementAndGet();
                        }
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every client sends an empty masked ping (zero mask key) every {@code periodMs}. */
    private static void pingEvery(long periodMs, List<SocketChannel> clients, AtomicBoolean running) {
        ByteBuffer ping = ByteBuffer.wrap(new byte[] {(byte) 0x89, (byte) 0x80, 0, 0, 0, 0});
        try {
            while (running.get()) {
                for (SocketChannel ch : clients) {
                    synchronized (ch) {
                        ch.write(ping.clear());
                    }
                }
                Thread.sleep(periodMs);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static SocketChannel upgrade(int port) throws IOException {
        SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
        ch.write(ByteBuffer.wrap(("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII)));
        ByteBuffer response = ByteBuffer.allocate(512);
        int end;
        while ((end = new String(response.array(), 0, response.position(), StandardCharsets.US_ASCII)
                        .indexOf("\r\n\r\n"))
                < 0) {
            if (ch.read(response) < 0) {
                throw new IOException("closed during handshake");
            }
        }
        String head = new String(response.array(), 0, end, StandardCharsets.US_ASCII);
        if (!head.startsWith("HTTP/1.1 101")) {
            throw new IOException(
                    "expected an upgrade: " + head.lines().findFirst().orElse(""));
        }
        if (response.position() > end + 4) { // a ping due at once came with the head: answer it too
            ch.write(ByteBuffer.wrap(new byte[] {(byte) 0x8A, (byte) 0x80, 0, 0, 0, 0}));
        }
        return ch;
    }

    private static int featureVersion(Path jdk) {
        try {
            for (String line : Files.readAllLines(jdk.resolve("release"))) {
                if (line.startsWith("JAVA_VERSION=\"")) {
                    return Integer.parseInt(line.substring(14).split("[.\"]")[0]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not a JDK we can read
        }
        return 0;
    }
}
