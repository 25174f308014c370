package dev.throng.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A server out of file descriptors (EMFILE) stops accepting for a while instead of spinning on its full accept
 * queue, stays alive, and serves again once descriptors are free (issue #4: production limits; the lean
 * listener's pause); and a connection cap above the limit is lowered to what the descriptors allow, so the process
 * answers 503 instead. Runs {@code throng serve} under {@code prlimit --nofile=160}.
 */
class OpenFilesExhaustedIT {
    private static final int LIMIT = 160;

    @Test
    void pausesAcceptingWhenOutOfDescriptorsAndRecoversWhenTheyAreFree() throws Exception {
        try (ServeProcess serve = ServeProcess.startWithOpenFilesLimit(LIMIT, "--io-threads", "1")) {
            List<java.net.Socket> hogs = new ArrayList<>();
            try {
                // More connections than the server has descriptors left; the kernel completes them all (backlog).
                for (int i = 0; i < LIMIT + 40; i++) {
                    java.net.Socket s = new java.net.Socket();
                    s.connect(new InetSocketAddress("127.0.0.1", serve.port), 2000);
                    hogs.add(s);
                }
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> serve.output().contains("accept failed"));
                long cpuBefore = cpuTicks(serve.process.pid());
                Thread.sleep(2000);
                long cpuDuring = cpuTicks(serve.process.pid()) - cpuBefore;
                // A listener spinning on the pending connections would burn ~200 ticks (a whole core) in 2 s.
                assertThat(cpuDuring).as("CPU ticks while out of descriptors").isLessThan(100);
                assertThat(serve.process.isAlive()).isTrue();
            } finally {
                for (java.net.Socket s : hogs) {
                    s.close();
                }
            }
            // Descriptors free again: the server closes the hogs it accepted and accepts new connections.
            await().atMost(Duration.ofSeconds(15))
                    .pollInterval(Duration.ofMillis(250))
                    .untilAsserted(() -> {
                        try (RawClients clients = RawClients.open(serve.port, 1)) {
                            assertThat(clients.clients).hasSize(1);
                        }
                    });
        }
    }

    @Test
    void aCapAboveTheLimitAnswers503WhereTheDescriptorsWouldRunOut() throws Exception {
        // 160 descriptors keep a quarter for the process itself: 120 connections (WorkerPlan.perProcess).
        try (ServeProcess serve =
                        ServeProcess.startWithOpenFilesLimit(LIMIT, "--io-threads", "1", "--max-connections", "1000");
                RawClients held = RawClients.open(serve.port, 120)) {
            assertThat(held.clients).hasSize(120);
            assertThatThrownBy(() -> RawClients.open(serve.port, 1).close())
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("not upgraded: HTTP/1.1 503");
            assertThat(serve.process.isAlive()).isTrue();
        }
    }

    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15)
    }
}
