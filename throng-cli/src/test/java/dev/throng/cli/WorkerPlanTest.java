package dev.throng.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.throng.doctor.MeasuredCosts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JVM flags the supervisor gives its workers and bin/throng gives {@code throng serve}. */
class WorkerPlanTest {
    private static final long OPEN_FILES = 20_000;
    private static final int MESSAGE = 1 << 20; // ServerConfig's default maxMessageSize
    private static final WorkerPlan.Jvm JDK17 = new WorkerPlan.Jvm(17, true);
    private static final WorkerPlan.Jvm JDK21 = new WorkerPlan.Jvm(21, true);
    private static final WorkerPlan.Jvm JDK25 = new WorkerPlan.Jvm(25, true);

    /** The flags bin/throng gives {@code throng <args>}, with no THRONG_* variables, on JDK 17. */
    private static List<String> launcher(String... args) {
        return WorkerPlan.launcherFlags(List.of(args), Map.of(), OPEN_FILES, JDK17);
    }

    @Test
    void aWorkerCappedByTheOpenFilesLimitGetsSerialWithAFixedHeapSizedFromItsCap() {
        // 24 MiB + 512 B x 19,744 connections (9.64 MiB, rounded up)
        assertThat(WorkerPlan.jvmFlags(0, MESSAGE, OPEN_FILES, JDK17))
                .containsExactly(
                        "-XX:+UseSerialGC",
                        "-Xms34m",
                        "-Xmx34m",
                        "-Xmn4m",
                        "-XX:TieredStopAtLevel=1",
                        "-XX:ReservedCodeCacheSize=16m",
                        "-XX:MaxDirectMemorySize=32m",
                        "-Xss512k",
                        "-XX:+UnlockDiagnosticVMOptions",
                        "-XX:ArchiveRelocationMode=0",
                        "-XX:-UsePerfData",
                        "-Dio.netty.leakDetection.samplingInterval=4096",
                        "-Dio.netty.jfr.enabled=false",
                        "-Dio.lettuce.core.jfr=false",
                        "-XX:TrimNativeHeapInterval=30000");
    }

    @Test
    void anEchoServerThatRunsAloneGetsC2AndTheGatewayAndWorkersC1Only() {
        // One echo process pays C2's ~10 MiB once and halves its CPU per message; the gateway's work is system calls
        // (C2 saved nothing and slowed a fresh ramp); 53 workers would pay it 53 times (docs/configuration.md).
        assertThat(launcher("serve", "--mode", "echo", "--max-connections", "18000"))
                .isEqualTo(WorkerPlan.jvmFlags(
                        new WorkerPlan.Load(18_000, MESSAGE, WorkerPlan.memoryBudget(MESSAGE), 2, true),
                        OPEN_FILES,
                        JDK17))
                .doesNotContain("-XX:TieredStopAtLevel=1")
                .contains("-XX:+UseSerialGC", "-XX:ReservedCodeCacheSize=48m");
        assertThat(launcher("serve")).contains("-XX:TieredStopAtLevel=1", "-XX:ReservedCodeCacheSize=16m");
        assertThat(launcher("serve", "--mode", "gateway")).contains("-XX:TieredStopAtLevel=1");
        // The supervisor itself handles no traffic: C1 only.
        assertThat(launcher("serve", "--mode", "echo", "--workers", "3")).contains("-XX:TieredStopAtLevel=1");
    }

    @Test
    void theHeapFollowsTheConnectionCap() {
        assertThat(WorkerPlan.jvmFlags(18_000, MESSAGE, OPEN_FILES, JDK17)).contains("-Xms33m", "-Xmx33m");
        assertThat(WorkerPlan.jvmFlags(1, MESSAGE, OPEN_FILES, JDK17)).contains("-Xms25m", "-Xmx25m");
    }

    @Test
    void aWorkerAboveTheSerialLimitGetsG1WithASmallInitialHeap() {
        assertThat(WorkerPlan.jvmFlags(100_000, MESSAGE, 1_000_000, JDK17))
                .containsExactly(
                        "-XX:+UseG1GC",
                        "-XX:MaxGCPauseMillis=10",
                        "-Xms16m",
                        "-Xmx129m",
                        "-XX:MaxDirectMemorySize=32m",
                        "-Xss512k",
                        "-XX:+UnlockDiagnosticVMOptions",
                        "-XX:ArchiveRelocationMode=0",
                        "-XX:-UsePerfData",
                        "-Dio.netty.leakDetection.samplingInterval=4096",
                        "-Dio.netty.jfr.enabled=false",
                        "-Dio.lettuce.core.jfr=false",
                        "-XX:TrimNativeHeapInterval=30000");
        assertThat(WorkerPlan.jvmFlags(WorkerPlan.SERIAL_MAX_CONNECTIONS, MESSAGE, 1_000_000, JDK17))
                .contains("-XX:+UseSerialGC");
        assertThat(WorkerPlan.jvmFlags(WorkerPlan.SERIAL_MAX_CONNECTIONS + 1, MESSAGE, 1_000_000, JDK17))
                .contains("-XX:+UseG1GC");
    }

    @Test
    void anUnlimitedOpenFilesLimitSizesForAMillionConnections() {
        assertThat(WorkerPlan.jvmFlags(0, MESSAGE, Long.MAX_VALUE, JDK17)).contains("-XX:+UseG1GC", "-Xmx1008m");
    }

    @Test
    void aJvmWithoutNativeHeapTrimmingIsNotGivenTheFlag() {
        assertThat(WorkerPlan.jvmFlags(18_000, MESSAGE, OPEN_FILES, new WorkerPlan.Jvm(17, false)))
                .noneMatch(flag -> flag.startsWith("-XX:TrimNativeHeapInterval"));
    }

    @Test
    void theRunningJvmIsAskedWhetherItTrims() throws Exception {
        // The witness: does this java start at all with the flag?
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process probe = new ProcessBuilder(java, "-XX:TrimNativeHeapInterval=30000", "-version")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        boolean starts = probe.waitFor() == 0;
        assertThat(WorkerPlan.Jvm.current())
                .isEqualTo(new WorkerPlan.Jvm(Runtime.version().feature(), starts));
    }

    @Test
    void jdk25AddsCompactObjectHeaders() {
        assertThat(WorkerPlan.jvmFlags(18_000, MESSAGE, OPEN_FILES, JDK25)).endsWith("-XX:+UseCompactObjectHeaders");
        assertThat(WorkerPlan.jvmFlags(18_000, MESSAGE, OPEN_FILES, JDK21))
                .doesNotContain("-XX:+UseCompactObjectHeaders");
    }

    @Test
    void jdk25GetsARoomierCodeCache() {
        assertThat(WorkerPlan.jvmFlags(18_000, MESSAGE, OPEN_FILES, JDK25)).contains("-XX:ReservedCodeCacheSize=32m");
        assertThat(WorkerPlan.jvmFlags(18_000, MESSAGE, OPEN_FILES, JDK17)).contains("-XX:ReservedCodeCacheSize=16m");
    }

    @Test
    void aSingleServeIsSizedFromMaxConnectionsInEitherSpelling() {
        assertThat(launcher("serve", "--max-connections", "18000"))
                .isEqualTo(WorkerPlan.jvmFlags(18_000, MESSAGE, OPEN_FILES, JDK17));
        assertThat(launcher("serve", "--max-connections=18000"))
                .isEqualTo(WorkerPlan.jvmFlags(18_000, MESSAGE, OPEN_FILES, JDK17));
        assertThat(launcher("serve", "--port", "9000")).isEqualTo(WorkerPlan.jvmFlags(0, MESSAGE, OPEN_FILES, JDK17));
        // A cap above the open-files limit: sized for what the process can hold (Serial), not for the cap (G1).
        assertThat(launcher("serve", "--max-connections", "50000"))
                .isEqualTo(WorkerPlan.jvmFlags(19_744, MESSAGE, OPEN_FILES, JDK17))
                .contains("-XX:+UseSerialGC");
    }

    @Test
    void aSupervisorHoldsNoConnectionsSoGetsTheSmallestHeap() {
        assertThat(launcher("serve", "--mode", "echo", "--workers", "auto", "--max-connections", "200000"))
                .isEqualTo(WorkerPlan.jvmFlags(1, 1, OPEN_FILES, JDK17))
                .contains("-Xmn1m");
        assertThat(launcher("serve", "--mode=echo", "--workers=3"))
                .isEqualTo(WorkerPlan.jvmFlags(1, 1, OPEN_FILES, JDK17));
    }

    @Test
    void autoWorkersThatComeToOneProcessAreASingleServe() {
        assertThat(launcher("serve", "--workers", "auto", "--max-connections", "10000"))
                .isEqualTo(WorkerPlan.jvmFlags(10_000, MESSAGE, OPEN_FILES, JDK17));
    }

    @Test
    void theYoungGenerationHoldsFourOfTheLargestMessagesBetween1And4MiB() {
        assertThat(WorkerPlan.jvmFlags(18_000, 64 * 1024, OPEN_FILES, JDK17)).contains("-Xmn1m");
        assertThat(WorkerPlan.jvmFlags(18_000, 256 * 1024, OPEN_FILES, JDK17)).contains("-Xmn2m");
        assertThat(WorkerPlan.jvmFlags(18_000, 512 * 1024, OPEN_FILES, JDK17)).contains("-Xmn3m");
        assertThat(WorkerPlan.jvmFlags(18_000, MESSAGE, OPEN_FILES, JDK17)).contains("-Xmn4m");
        assertThat(WorkerPlan.jvmFlags(18_000, 16 << 20, OPEN_FILES, JDK17)).contains("-Xmn4m");
        assertThat(WorkerPlan.jvmFlags(18_000, 1, OPEN_FILES, JDK17)).contains("-Xmn1m");
    }

    @Test
    void aSingleServeIsSizedFromItsMessageSizeInEitherSpelling() {
        assertThat(launcher("serve", "--max-message-size", "64k", "--max-frame-size", "64k"))
                .isEqualTo(WorkerPlan.jvmFlags(0, 64 * 1024, OPEN_FILES, JDK17));
        assertThat(launcher("serve", "--max-message-size=256KiB", "--max-frame-size=256k"))
                .contains("-Xmn2m");
    }

    @Test
    void aCommandLineServeRefusesIsLeftForServeToExplain() {
        // 64k messages with the default 1 MiB frames: serve says so itself; main() then prints default flags.
        assertThatThrownBy(() -> launcher("serve", "--max-message-size", "64k"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("limits.maxFrameSize");
    }

    @Test
    void aFileOrTheEnvironmentSizesTheJvmAsTheSameFlagsWould(@TempDir Path dir) throws Exception {
        List<String> byFlags =
                launcher("serve", "--max-message-size", "20m", "--max-frame-size", "20m", "--max-connections", "18000");
        assertThat(byFlags).contains("-XX:MaxDirectMemorySize=76m");
        Path file = Files.writeString(
                dir.resolve("throng.yaml"),
                "limits:\n  maxMessageSize: 20m\n" + "  maxFrameSize: 20m\nadmission:\n  maxConnections: 18000\n");
        assertThat(WorkerPlan.launcherFlags(List.of("serve", "--config", file.toString()), Map.of(), OPEN_FILES, JDK17))
                .isEqualTo(byFlags);
        assertThat(WorkerPlan.launcherFlags(
                        List.of("serve"), Map.of("THRONG_CONFIG", file.toString()), OPEN_FILES, JDK17))
                .isEqualTo(byFlags);
        assertThat(WorkerPlan.launcherFlags(
                        List.of("serve"),
                        Map.of(
                                "THRONG_LIMITS_MAX_MESSAGE_SIZE",
                                "20m",
                                "THRONG_LIMITS_MAX_FRAME_SIZE",
                                "20m",
                                "THRONG_ADMISSION_MAX_CONNECTIONS",
                                "18000"),
                        OPEN_FILES,
                        JDK17))
                .isEqualTo(byFlags);
        // The flags still win over both.
        assertThat(WorkerPlan.launcherFlags(
                        List.of(
                                "serve",
                                "--config",
                                file.toString(),
                                "--max-message-size",
                                "64k",
                                "--max-frame-size",
                                "64k"),
                        Map.of("THRONG_LIMITS_MAX_MESSAGE_SIZE", "8m"),
                        OPEN_FILES,
                        JDK17))
                .isEqualTo(launcher(
                        "serve", "--max-message-size", "64k", "--max-frame-size", "64k", "--max-connections", "18000"));
    }

    @Test
    void aSupervisorOfWorkersGivenByTheEnvironmentGetsTheSmallestHeap() {
        assertThat(WorkerPlan.launcherFlags(
                        List.of("serve"), Map.of("THRONG_MODE", "echo", "THRONG_WORKERS", "3"), OPEN_FILES, JDK17))
                .isEqualTo(WorkerPlan.jvmFlags(1, 1, OPEN_FILES, JDK17));
    }

    @Test
    void aGatewayWithWorkersIsLeftForServeToRefuse() {
        assertThatThrownBy(() -> launcher("serve", "--workers", "3"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the gateway's workers need Redis");
    }

    @Test
    void theSupervisorOfAGatewaysWorkersOnRedisGetsTheSmallestHeap() {
        assertThat(launcher("serve", "--workers", "3", "--redis", "redis://127.0.0.1:6379"))
                .isEqualTo(WorkerPlan.jvmFlags(1, 1, OPEN_FILES, JDK17));
    }

    @Test
    void directMemoryIsTheMemoryBudgetPlusHeadroom() {
        // The default 1 MiB messages: a 16 MiB budget, 32 MiB of direct memory (the heap's 34 MiB was the limit).
        assertThat(WorkerPlan.memoryBudget(MESSAGE)).isEqualTo(16L << 20);
        assertThat(launcher("serve")).contains("-XX:MaxDirectMemorySize=32m");
        // Three of the largest message when that is more: 20 MiB messages, 60 MiB budget, 76 MiB of direct memory.
        assertThat(WorkerPlan.memoryBudget(20 << 20)).isEqualTo(60L << 20);
        assertThat(launcher("serve", "--max-message-size", "20m", "--max-frame-size", "20m"))
                .contains("-XX:MaxDirectMemorySize=76m");
        // An explicit budget wins.
        assertThat(launcher("serve", "--memory-budget", "64m")).contains("-XX:MaxDirectMemorySize=80m");
    }

    @Test
    void messagesAbove1MiBGrowTheHeapByThreeOfThemPerEventLoop() {
        // 24 MiB + 9.64 MiB for 19,744 connections, + 2 loops x 3 x (20 - 1) MiB for text messages of 20 MiB.
        assertThat(WorkerPlan.jvmFlags(new WorkerPlan.Load(0, 20 << 20, 60L << 20, 2, false), OPEN_FILES, JDK17))
                .contains("-Xms148m", "-Xmx148m");
        // The default 1 MiB messages change nothing, whatever the loops.
        assertThat(WorkerPlan.jvmFlags(new WorkerPlan.Load(0, MESSAGE, 16L << 20, 2, false), OPEN_FILES, JDK17))
                .contains("-Xms34m", "-Xmx34m");
    }

    @Test
    void autoTakesTheFewestWorkersWhoseCapsFitTheOpenFilesLimit() {
        // 19,744 connections per process: 52 workers would take 19,231 + 555 each
        assertThat(WorkerPlan.workerCount("auto", 1_000_000, OPEN_FILES)).isEqualTo(53);
        assertThat(WorkerPlan.workerCap(1_000_000, 53, OPEN_FILES)).isEqualTo(18_868 + 550);
        assertThat(WorkerPlan.workerCap(1_000_000, 52, OPEN_FILES)).isEqualTo(19_744);
        assertThat(WorkerPlan.workerCount("auto", 19_744, OPEN_FILES)).isEqualTo(1);
        assertThat(WorkerPlan.workerCount("auto", 19_745, OPEN_FILES)).isEqualTo(2);
        assertThat(WorkerPlan.workerCount("auto", 0, OPEN_FILES)).isEqualTo(1);
        assertThat(WorkerPlan.workerCount("AUTO", 1_000_000, Long.MAX_VALUE)).isEqualTo(1);
        assertThat(WorkerPlan.workerCount("3", 1_000_000, OPEN_FILES)).isEqualTo(3);
    }

    @Test
    void aSingleProcessOrNoCapHasNoMargin() {
        assertThat(WorkerPlan.workerCap(18_000, 1, OPEN_FILES)).isEqualTo(18_000);
        assertThat(WorkerPlan.workerCap(50_000, 1, OPEN_FILES)).isEqualTo(19_744);
        assertThat(WorkerPlan.workerCap(50_000, 1, Long.MAX_VALUE)).isEqualTo(50_000);
        assertThat(WorkerPlan.workerCap(50_000, 1, 1024)).isEqualTo(768);
        assertThat(WorkerPlan.workerCap(50_000, 1, 160)).isEqualTo(120); // a small limit keeps a quarter
        assertThat(WorkerPlan.workerCap(0, 53, OPEN_FILES)).isZero();
        assertThat(WorkerPlan.workerCap(9_000, 3, OPEN_FILES)).isEqualTo(3_000 + 220);
    }

    @Test
    void theHeapPerConnectionIsTheMultipleOfTheMeasuredLiveHeapItsCommentStates() {
        // A new measurement in MeasuredCosts that moves these ratios must revisit the comments, and maybe the rule.
        double live = MeasuredCosts.LIVE_HEAP_BYTES_PER_IDLE_CONNECTION;
        assertThat(WorkerPlan.SERIAL_HEAP_BYTES_PER_CONNECTION / live).isCloseTo(2.75, within(0.05));
        assertThat(WorkerPlan.HEAP_BYTES_PER_CONNECTION / live).isCloseTo(5.5, within(0.05));
    }

    @Test
    void badWorkerCountsAreRefused() {
        assertThatThrownBy(() -> WorkerPlan.workerCount("0", 0, OPEN_FILES))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1");
    }
}
