package dev.throng.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.throng.bench.plan.Scenario;
import dev.throng.bench.plan.TargetUrl;
import dev.throng.bench.protocol.Json;
import dev.throng.bench.run.BenchSettings;
import dev.throng.bench.run.Coordinator;
import dev.throng.bench.run.SubscribeSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Runs the bench's {@link Coordinator} in this JVM (its workers are real processes, {@code WorkerMain}) and keeps
 * what it printed and wrote. The command line in front of it is the CLI's ({@code BenchCommandTest} there).
 */
final class BenchRun {

    final int exitCode;
    final String out;
    final String err;
    final JsonNode report;

    private BenchRun(int exitCode, String out, String err, JsonNode report) {
        this.exitCode = exitCode;
        this.out = out;
        this.err = err;
        this.report = report;
    }

    /**
     * Runs {@code settings} with a JSON report into {@code dir}, the workers with Netty's leak detector at
     * {@code leakLevel} (a leak report shows on their stderr, which ends up in {@link #err}).
     */
    static BenchRun run(Path dir, String leakLevel, BenchSettings.Builder settings)
            throws IOException, InterruptedException {
        Path reportFile = dir.resolve("report.json");
        settings.report(reportFile).workerJvmOptions(List.of("-Dio.netty.leakDetection.level=" + leakLevel));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new Coordinator(settings.build(), new PrintWriter(out, true), new PrintWriter(err, true)).run();
        JsonNode report = Files.exists(reportFile) ? Json.MAPPER.readTree(reportFile.toFile()) : null;
        System.out.println(out);
        System.err.println(err);
        return new BenchRun(code, out.toString(), err.toString(), report);
    }

    /** Settings for {@code connections} to {@code urls}, with the command's defaults otherwise. */
    static BenchSettings.Builder settings(int connections, int workers, String... urls) {
        return BenchSettings.builder()
                .connections(connections)
                .workers(workers)
                .urls(Arrays.stream(urls).map(TargetUrl::parse).toList());
    }

    /**
     * The subscribe scenario's settings against a Pusher server on loopback {@code port} (its app key {@code app-key}):
     * two workers, 2,000 connections a second, and short steps (2 s, 1 s apart, after a 1 s warm-up).
     */
    static BenchSettings.Builder subscribe(int port, int connections, SubscribeSettings.Builder subscribe) {
        return settings(connections, 2, "ws://127.0.0.1:" + port + "/app/app-key?protocol=7")
                .scenario(Scenario.SUBSCRIBE)
                .rate(2000)
                .subscribe(subscribe
                        .stepDuration(Duration.ofSeconds(2))
                        .stepGap(Duration.ofSeconds(1))
                        .warmup(Duration.ofSeconds(1))
                        .build());
    }

    long count(String section, String field) {
        return report.path(section).path(field).asLong(-1);
    }
}
