package dev.throng.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.throng.bench.plan.FailureBudget;
import dev.throng.bench.plan.Scenario;
import dev.throng.core.ServerConfig;
import dev.throng.core.ThrongServer;
import dev.throng.core.WebSocketConnection;
import dev.throng.core.WebSocketHandler;
import io.netty.buffer.ByteBuf;
import io.netty.util.ResourceLeakDetector;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The bench against a real Throng server: 2,000 echoing connections from 2 workers and 2 source addresses. */
class BenchIT {

    private final AtomicInteger opens = new AtomicInteger();
    private final AtomicInteger closes = new AtomicInteger();
    private final AtomicInteger cleanCloses = new AtomicInteger();
    private final Set<String> peers = ConcurrentHashMap.newKeySet();
    private ThrongServer server;
    private ResourceLeakDetector.Level leakLevel;

    @TempDir
    Path dir;

    @BeforeEach
    void sampleLeaksOnlyInTheServer() {
        // The build runs tests with paranoid leak detection, which records a stack trace per buffer: at 2,000
        // echoing connections it slows server and workers so much on a 2-core box that the run measures the
        // detector. Here both sample (simple); MisbehavingServerIT runs the workers paranoid, and the server's
        // buffers are throng-core's tests' business.
        leakLevel = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        ResourceLeakDetector.setLevel(leakLevel);
    }

    private void startServer(Duration pingInterval) {
        WebSocketHandler echo = new WebSocketHandler() {
            @Override
            public void onOpen(WebSocketConnection c) {
                opens.incrementAndGet();
                peers.add(((java.net.InetSocketAddress) c.remoteAddress())
                        .getAddress()
                        .getHostAddress());
            }

            @Override
            public void onText(WebSocketConnection c, String text) {
                c.sendText(text);
            }

            @Override
            public void onBinary(WebSocketConnection c, ByteBuf data) {
                c.sendBinary(data.retain());
            }

            @Override
            public void onClose(WebSocketConnection c, int code, String reason) {
                closes.incrementAndGet();
                if (code == 1000) {
                    cleanCloses.incrementAndGet();
                }
            }
        };
        // 0.0.0.0 so that connections from 127.0.0.2 and 127.0.0.3 reach it.
        server = ThrongServer.start(
                ServerConfig.builder()
                        .host("0.0.0.0")
                        .port(0)
                        .pingInterval(pingInterval)
                        .build(),
                echo);
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void countsWhatTheServerSawAndEveryEchoReturns() throws Exception {
        // Default 30 s pings (none fall in the 3 s hold; ping intervals have their own test below). Timeouts are
        // generous: this box is shared, and this test checks counting, not speed.
        startServer(Duration.ofSeconds(30));
        BenchRun run = BenchRun.run(
                dir,
                "simple",
                BenchRun.settings(2000, 2, "ws://127.0.0.1:" + server.port() + "/")
                        .sources(List.of("127.0.0.2", "127.0.0.3"))
                        .rate(500)
                        .warmup(Duration.ofSeconds(2))
                        .hold(Duration.ofSeconds(3))
                        .scenario(Scenario.ECHO)
                        .interval(Duration.ofSeconds(1))
                        .connectTimeout(Duration.ofSeconds(30))
                        .closeTimeout(Duration.ofSeconds(30))
                        .serverPids(List.of(ProcessHandle.current().pid())));

        assertThat(run.exitCode).as(run.err).isZero();
        JsonNode r = run.report;
        assertThat(r.path("workers").asInt()).isEqualTo(2);
        assertThat(run.count("connections", "attempted")).isEqualTo(2000);
        assertThat(run.count("connections", "established")).isEqualTo(2000).isEqualTo(opens.get());
        assertThat(run.count("connections", "failed")).isZero();
        assertThat(run.count("connections", "lost")).isZero();
        assertThat(run.count("connections", "heldAtEndOfHold")).isEqualTo(2000);
        assertThat(run.count("connections", "closedClean")).isEqualTo(2000);
        assertThat(peers).containsExactlyInAnyOrder("127.0.0.2", "127.0.0.3");
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(closes.get()).isEqualTo(2000));
        assertThat(cleanCloses.get()).isEqualTo(2000);

        long sent = run.count("messages", "sent");
        assertThat(sent).isGreaterThan(2000 * 2); // 1/s each for at least the 3 s hold
        assertThat(run.count("messages", "received")).isEqualTo(sent);
        assertThat(r.path("latencyMillis").path("echoRoundTrip").path("count").asLong())
                .isEqualTo(sent);
        assertThat(r.path("latencyMillis").path("handshake").path("count").asLong())
                .isEqualTo(2000);
        // The server is this test JVM: its own garbage collection can hide 2,000 connections' growth, so the growth
        // is only checked for being reported; that RSS was read at all is checked through the held figures.
        assertThat(r.path("server").has("rssBytesPerConnection")).isTrue();
        assertThat(r.path("server").path("pssBytesHeld").asLong())
                .isPositive()
                .isLessThanOrEqualTo(r.path("server").path("rssBytesHeld").asLong());
        assertThat(r.path("loadGenerator").path("heapBytesPerConnection").asLong())
                .isPositive();
        assertThat(r.path("verdict").path("passed").asBoolean()).isTrue();
        assertThat(run.out).contains("[    1s ramp ]").contains("result        PASS");
        assertThat(run.err).doesNotContain("LEAK");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void measuresTheServersPingIntervalAndTheRoundTripOfClientPings() throws Exception {
        startServer(Duration.ofSeconds(1));
        BenchRun run = BenchRun.run(
                dir,
                "paranoid",
                BenchRun.settings(50, 1, "ws://127.0.0.1:" + server.port() + "/")
                        .rate(100)
                        .hold(Duration.ofSeconds(4))
                        .clientPing(Duration.ofMillis(500))
                        .connectTimeout(Duration.ofSeconds(30))
                        .closeTimeout(Duration.ofSeconds(30)));

        assertThat(run.exitCode).as(run.err).isZero();
        JsonNode pings = run.report.path("latencyMillis").path("serverPingInterval");
        assertThat(pings.path("count").asLong()).isGreaterThanOrEqualTo(50);
        assertThat(pings.path("p50").asDouble()).isBetween(500.0, 2000.0); // the server's 1 s, give or take
        long clientPings = run.count("messages", "clientPings");
        long pongs = run.count("messages", "pongs");
        assertThat(clientPings).isGreaterThanOrEqualTo(50 * 6); // 2/s each for at least the 4 s hold
        assertThat(pongs).isPositive().isLessThanOrEqualTo(clientPings);
        assertThat(run.report
                        .path("latencyMillis")
                        .path("clientPingRoundTrip")
                        .path("count")
                        .asLong())
                .isEqualTo(pongs);
        assertThat(run.count("messages", "serverPings"))
                .isGreaterThanOrEqualTo(pings.path("count").asLong());
        assertThat(run.err).doesNotContain("LEAK");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aRampPastItsTimeoutStopsHoldsWhatIsOpenAndReports() throws Exception {
        startServer(Duration.ofSeconds(30));
        // 2,000 at 100/s would take 20 s; the ramp timeout stops it after 3 s.
        BenchRun run = BenchRun.run(
                dir,
                "simple",
                BenchRun.settings(2000, 1, "ws://127.0.0.1:" + server.port() + "/")
                        .rate(100)
                        .rampTimeout(Duration.ofSeconds(3))
                        .hold(Duration.ofSeconds(1))
                        .connectTimeout(Duration.ofSeconds(30))
                        .closeTimeout(Duration.ofSeconds(30))
                        .maxFailures(FailureBudget.parse("100%")));

        assertThat(run.exitCode).as(run.out + run.err).isEqualTo(1);
        long attempted = run.count("connections", "attempted");
        assertThat(attempted).isBetween(100L, 1000L);
        assertThat(run.count("connections", "established")).isEqualTo(attempted).isEqualTo(opens.get());
        assertThat(run.count("connections", "heldAtEndOfHold")).isEqualTo(attempted);
        assertThat(run.count("connections", "closedClean")).isEqualTo(attempted);
        assertThat(run.report.path("verdict").path("passed").asBoolean()).isFalse();
        assertThat(run.report.path("verdict").path("rampCompleted").asBoolean()).isFalse();
        assertThat(run.out).contains("the ramp was stopped at its deadline");
        assertThat(run.report.path("warnings").toString()).contains("stopped at its deadline");
        assertThat(run.err).contains("the ramp did not finish in time").doesNotContain("LEAK");
    }
}
