package dev.throng.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.throng.bench.plan.Loader;
import dev.throng.bench.plan.PayloadType;
import dev.throng.bench.plan.Scenario;
import dev.throng.bench.run.BenchSettings;
import dev.throng.bench.run.SubscribeSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class BenchCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return new CommandLine(new BenchCommand())
                .setOut(new PrintWriter(out))
                .setErr(new PrintWriter(err))
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
        BenchSettings s = settings(
                "--url",
                "ws://127.0.0.1:1/",
                "-u",
                "ws://127.0.0.1:2/",
                "--source",
                "127.0.0.2-127.0.0.3",
                "--source",
                "127.0.0.9",
                "--server-pid",
                "10,11",
                "--scenario",
                "ECHO",
                "--payload",
                "binary",
                "--size",
                "8",
                "--max-failures",
                "2%");
        assertThat(s.urls()).hasSize(2);
        assertThat(s.sources()).containsExactly("127.0.0.2", "127.0.0.3", "127.0.0.9");
        assertThat(s.serverPids()).containsExactly(10L, 11L);
        assertThat(s.payload()).isEqualTo(PayloadType.BINARY);
        assertThat(s.maxFailures().allows(2, 100)).isTrue();
    }

    @Test
    void idleAndEchoRunsCarryNoSubscribeSettings() {
        assertThat(settings().subscribe()).isNull();
        assertThat(settings("--scenario", "echo").subscribe()).isNull();
    }

    @Test
    void subscribeDefaultsToTheDevelopmentAppOneChannelAndNoPublishing() {
        BenchSettings s = settings("--scenario", "subscribe");
        SubscribeSettings sub = s.subscribe();
        assertThat(sub.appId()).isEqualTo("app-id");
        assertThat(sub.key()).isEqualTo("app-key");
        assertThat(sub.secret()).isEqualTo("app-secret");
        assertThat(sub.apiUrl()).isNull();
        assertThat(sub.plan().channels()).isEqualTo(1);
        assertThat(sub.plan().perClient()).isEqualTo(1);
        assertThat(sub.eventSize()).isEqualTo(256);
        assertThat(sub.eventName()).isEqualTo("bench");
        assertThat(sub.steps()).isEmpty();
        assertThat(sub.stepDuration()).isEqualTo(Duration.ofSeconds(10));
        assertThat(sub.stepGap()).isEqualTo(Duration.ofSeconds(2));
        assertThat(sub.warmup()).isEqualTo(Duration.ofSeconds(3));
        assertThat(sub.maxP99()).isEqualTo(Duration.ofSeconds(1));
        assertThat(sub.stopOnFail()).isTrue();
        assertThat(sub.publishConnections()).isEqualTo(4);
        assertThat(sub.publishConcurrency()).isEqualTo(64);
        assertThat(sub.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(sub.publishAfter()).isZero();
        assertThat(sub.brokerPids()).isEmpty();
        assertThat(s.urls()).hasToString("[ws://127.0.0.1:8080/app/app-key?protocol=7&client=throng-bench&version=1]");
    }

    @Test
    void everySubscribeOptionReachesTheSettings() {
        BenchSettings s = settings(
                "--scenario",
                "subscribe",
                "--url",
                "ws://127.0.0.1:6001",
                "--url",
                "ws://127.0.0.1:6002/app/other?protocol=7",
                "--app-id",
                "42",
                "--key",
                "k1",
                "--secret",
                "s1",
                "--api-url",
                "http://127.0.0.1:7000",
                "--channels",
                "10",
                "--subscriptions-per-client",
                "3",
                "--event-size",
                "1024",
                "--event-name",
                "tick",
                "--publish-steps",
                "1,2.5,4",
                "--step-duration",
                "5s",
                "--step-gap",
                "500ms",
                "--publish-warmup",
                "0",
                "--max-p99",
                "250ms",
                "--keep-going",
                "--publish-connections",
                "2",
                "--publish-concurrency",
                "8",
                "--request-timeout",
                "3s",
                "--publish-after",
                "10m",
                "--broker-pid",
                "7,8");
        SubscribeSettings sub = s.subscribe();
        assertThat(s.urls())
                .hasToString("[ws://127.0.0.1:6001/app/k1?protocol=7&client=throng-bench&version=1, "
                        + "ws://127.0.0.1:6002/app/other?protocol=7]");
        assertThat(List.of(sub.appId(), sub.key(), sub.secret(), sub.eventName()))
                .containsExactly("42", "k1", "s1", "tick");
        assertThat(sub.apiUrl()).hasToString("http://127.0.0.1:7000");
        assertThat(sub.plan().channels()).isEqualTo(10);
        assertThat(sub.plan().perClient()).isEqualTo(3);
        assertThat(sub.eventSize()).isEqualTo(1024);
        assertThat(sub.steps()).containsExactly(1.0, 2.5, 4.0);
        assertThat(sub.stepDuration()).isEqualTo(Duration.ofSeconds(5));
        assertThat(sub.stepGap()).isEqualTo(Duration.ofMillis(500));
        assertThat(sub.hasWarmup()).isFalse();
        assertThat(sub.maxP99()).isEqualTo(Duration.ofMillis(250));
        assertThat(sub.stopOnFail()).isFalse();
        assertThat(sub.publishConnections()).isEqualTo(2);
        assertThat(sub.publishConcurrency()).isEqualTo(8);
        assertThat(sub.requestTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(sub.publishAfter()).isEqualTo(Duration.ofMinutes(10));
        assertThat(sub.brokerPids()).containsExactly(7L, 8L);
    }

    @Test
    void publishRateIsOneStepOfPublishDuration() {
        SubscribeSettings sub = settings("--scenario", "subscribe", "--publish-rate", "64", "--publish-duration", "30s")
                .subscribe();
        assertThat(sub.steps()).containsExactly(64.0);
        assertThat(sub.stepDuration()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings("--scenario", "subscribe", "--publish-rate", "8")
                        .subscribe()
                        .stepDuration())
                .isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void subscribeOptionsWithAnotherScenarioExitWithTwoNamingThem() {
        assertThat(run("--scenario", "echo", "--channels", "4", "--publish-steps", "1,2"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--channels, --publish-steps apply to the subscribe scenario only");
        assertThat(run("--broker-pid", "7")).isEqualTo(2);
        assertThat(err.toString()).contains("--broker-pid applies to the subscribe scenario only");
    }

    @Test
    void publishRateAndPublishStepsTogetherExitWithTwo() {
        assertThat(run("--scenario", "subscribe", "--publish-rate", "8", "--publish-steps", "1,2"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--publish-rate is one step of --publish-duration");
        assertThat(run("--scenario", "subscribe", "--publish-steps", "1,2", "--publish-duration", "5s"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--publish-duration is the length of the --publish-rate step");
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
    void theLoaderIsJavaUnlessToldAndHsloadNeedsTheSubscribeScenarioAndItsBinary() {
        assertThat(settings().loader()).isEqualTo(Loader.JAVA);
        BenchSettings s = settings("--scenario", "subscribe", "--loader", "hsload", "--hsload", "/opt/hsload");
        assertThat(s.loader()).isEqualTo(Loader.HSLOAD);
        assertThat(s.hsload()).isEqualTo(Path.of("/opt/hsload"));
        assertThat(run("--loader", "hsload")).isEqualTo(2);
        assertThat(err.toString()).contains("the subscribe scenario only");
        assertThat(run("--loader", "c")).isEqualTo(2);
        assertThat(err.toString()).contains("--loader must be java or hsload");
        assertThat(run("--scenario", "subscribe", "--loader", "hsload", "--hsload", "/nonexistent/hsload"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("no hsload at /nonexistent/hsload");
        assertThat(out.toString()).doesNotContain("open");
    }

    @Test
    void helpListsEveryOptionWithItsDefault() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString())
                .contains(
                        "--connections",
                        "--rate",
                        "--hold",
                        "--max-failures",
                        "--server-pid",
                        "Default: 5000",
                        "Exit status",
                        "--publish-steps",
                        "--event-size",
                        "Default: app-secret");
    }
}
