package dev.throng.core.it;

import static dev.throng.core.test.ClientFrames.BINARY;
import static dev.throng.core.test.ClientFrames.FIN;
import static dev.throng.core.test.ClientFrames.TEXT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.throng.core.EchoHandler;
import dev.throng.core.ServerConfig;
import dev.throng.core.ThrongServer;
import dev.throng.core.TransportKind;
import dev.throng.core.test.ClientFrames;
import dev.throng.core.test.RawWebSocketClient;
import dev.throng.core.test.ServerFrame;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Fault injection (issue #15): an allocation that fails inside one connection's read path closes that connection
 * only. The server runs in its own JVM with 8 MiB of direct memory and a memory budget set far above it, so that a
 * client announcing a 12 MiB frame makes the server's allocation of the frame's buffer fail for real
 * ({@code OutOfMemoryError}), on the one event loop every connection shares. Before the fix the error escaped into
 * Netty's epoll loop and ended it: every other connection stopped being served while the process lived on.
 */
class AllocationFailureIT {

    /** The server of this test, in its own JVM: one event loop, frames up to 16 MiB, a 64 MiB budget. */
    public static final class Server {
        public static void main(String[] args) throws Exception {
            ServerConfig config = ServerConfig.builder()
                    .host("127.0.0.1")
                    .port(0)
                    .transport(TransportKind.EPOLL)
                    .ioThreads(1)
                    .maxFrameSize(16 << 20)
                    .maxMessageSize(16 << 20)
                    .memoryBudget(64 << 20)
                    .pingInterval(Duration.ZERO)
                    .build();
            ThrongServer server = ThrongServer.start(config, new EchoHandler());
            System.out.println("PORT " + server.port());
            System.out.flush();
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            System.out.println("STATS " + server.stats().summary());
            System.out.flush();
            server.close();
        }
    }

    @Test
    void anAllocationFailureInOneConnectionsReadClosesOnlyThatConnection() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process process = new ProcessBuilder(
                        java,
                        "-Xmx64m",
                        "-XX:MaxDirectMemorySize=8m",
                        "-Dio.netty.leakDetection.level=disabled",
                        "-cp",
                        classpath,
                        Server.class.getName())
                .redirectErrorStream(true)
                .start();
        List<String> output = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader out = new BufferedReader(
                            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                        for (String line; (line = out.readLine()) != null; ) {
                            output.add(line);
                        }
                    } catch (IOException e) {
                        // the process ended
                    }
                },
                "server-output");
        reader.setDaemon(true);
        reader.start();
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> output.stream().anyMatch(l -> l.startsWith("PORT ")));
            int port = Integer.parseInt(output.stream()
                    .filter(l -> l.startsWith("PORT "))
                    .findFirst()
                    .orElseThrow()
                    .substring(5));

            try (RawWebSocketClient bystander = RawWebSocketClient.connect(port);
                    RawWebSocketClient victim = RawWebSocketClient.connect(port)) {
                bystander.upgrade();
                assertEchoes(bystander, "before");
                victim.upgrade();
                victim.write(ClientFrames.header(FIN | BINARY, 12 << 20), new byte[1000]);
                victim.expectCloseThenEof(1013, "OUT_OF_MEMORY");

                assertEchoes(bystander, "after"); // same event loop, still served
                assertThat(UnderTrafficIT.healthz(port)).isEqualTo(200);
                try (RawWebSocketClient newcomer = RawWebSocketClient.connect(port)) {
                    newcomer.upgrade();
                    assertEchoes(newcomer, "new");
                }
            }
            process.getOutputStream().write('\n');
            process.getOutputStream().flush();
            assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
            reader.join(5000);
            String log = String.join("\n", output);
            assertThat(log)
                    .contains("OutOfMemoryError")
                    .contains("1 failures")
                    .doesNotContain("Unexpected exception from an event executor");
        } finally {
            process.destroyForcibly();
        }
    }

    private static void assertEchoes(RawWebSocketClient client, String text) throws IOException {
        client.write(ClientFrames.frame(FIN | TEXT, ClientFrames.ascii(text)));
        ServerFrame echo = client.readFrameSkippingPings();
        assertThat(echo.text()).isEqualTo(text);
    }
}
