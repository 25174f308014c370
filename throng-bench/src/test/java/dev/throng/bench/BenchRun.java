package dev.throng.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.throng.bench.protocol.Json;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs {@code throng bench} in this JVM (its workers are real processes) and keeps what it printed and wrote. */
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
     * Runs with {@code args} plus {@code --report} into {@code dir}, the workers with Netty's leak detector at
     * {@code leakLevel} (a leak report shows on their stderr, which ends up in {@link #err}).
     */
    static BenchRun run(Path dir, String leakLevel, String... args) throws IOException {
        Path reportFile = dir.resolve("report.json");
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--report", reportFile.toString(),
            "--worker-jvm-option", "-Dio.netty.leakDetection.level=" + leakLevel));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new CommandLine(new BenchCommand()).setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(err, true)).execute(all.toArray(new String[0]));
        JsonNode report = Files.exists(reportFile) ? Json.MAPPER.readTree(reportFile.toFile()) : null;
        System.out.println(out);
        System.err.println(err);
        return new BenchRun(code, out.toString(), err.toString(), report);
    }

    long count(String section, String field) {
        return report.path(section).path(field).asLong(-1);
    }
}
