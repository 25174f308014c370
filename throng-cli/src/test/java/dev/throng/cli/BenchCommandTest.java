package dev.throng.cli;

import dev.throng.bench.plan.PayloadType;
import dev.throng.bench.plan.Scenario;
import dev.throng.bench.run.BenchSettings;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class BenchCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return new CommandLine(new BenchCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
            .execute(args);
    }

    private static BenchSettings settings(String... args) {
        BenchCommand c = new BenchCommand();
        new CommandLine(c).parseArgs(args);
        return c.settings();
    }

    @Test
    void theDefaultsAreTheDocumentedOnes() {
        BenchSettings s = settings();
        assertThat(s.connections()).isEqualTo(1000);
        assertThat(s.urls()).hasToString("[ws://127.0.0.1:8080/]");
        assertThat(s.rate()).isEqualTo(5000);
        assertThat(s.hold()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.closeTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.effectiveCloseRate()).isEqualTo(5000);
        assertThat(s.scenario()).isEqualTo(Scenario.IDLE);
        assertThat(s.sources()).containsExactly("0.0.0.0");
        assertThat(s.ports().size()).isEqualTo(64_512);
        assertThat(s.workers()).isZero();
        assertThat(s.maxFailures().allows(1, 100)).isFalse();
    }

    @Test
    void repeatedOptionsAccumulate() {
        BenchSettings s = settings("--url", "ws://127.0.0.1:1/", "-u", "ws://127.0.0.1:2/", "--source",
            "127.0.0.2-127.0.0.3", "--source", "127.0.0.9", "--server-pid", "10,11", "--scenario", "ECHO",
            "--payload", "binary", "--size", "8", "--max-failures", "2%");
        assertThat(s.urls()).hasSize(2);
        assertThat(s.sources()).containsExactly("127.0.0.2", "127.0.0.3", "127.0.0.9");
        assertThat(s.serverPids()).containsExactly(10L, 11L);
        assertThat(s.payload()).isEqualTo(PayloadType.BINARY);
        assertThat(s.maxFailures().allows(2, 100)).isTrue();
    }

    @Test
    void subscribeIsNotAvailableYetAndExitsWithTwo() {
        assertThat(run("--scenario", "subscribe")).isEqualTo(2);
        assertThat(err.toString()).contains("not available until the gateway exists");
    }

    @Test
    void anInvalidSettingExitsWithTwoAndSaysWhy() {
        assertThat(run("--scenario", "echo", "--size", "4")).isEqualTo(2);
        assertThat(err.toString()).contains("--size");
        assertThat(run("--source", "127.0.0.300")).isEqualTo(2);
        assertThat(run("--url", "wss://127.0.0.1/")).isEqualTo(2);
    }

    @Test
    void anUnplannableRunExitsWithTwoBeforeStartingAnything() {
        assertThat(run("--connections", "100000", "--workers", "10")).isEqualTo(2);
        assertThat(err.toString()).contains("source addresses");
        assertThat(out.toString()).doesNotContain("open");
    }

    @Test
    void helpListsEveryOptionWithItsDefault() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("--connections", "--rate", "--hold", "--max-failures", "--server-pid",
            "Default: 5000", "Exit status");
    }
}
