package dev.throng.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.throng.doctor.SystemReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/**
 * {@code throng doctor --connections N} and {@code throng serve --workers auto --max-connections N} on the same
 * machine name the same number of processes, and the open-files limit the doctor asks for is exactly what serve needs
 * to give each of them its cap.
 */
class DoctorAgreesWithServeTest {

    @ParameterizedTest(name = "{0} connections under an open-files limit of {1}")
    @CsvSource({
        "1000000, 20000",
        "1000000, 4096",
        "1000000, 1024",
        "1000000, 65536",
        "1000000, 1048576",
        "200000, 20000",
        "19744, 20000",
        "19745, 20000",
        "100000, 1000",
        "2000000, 1048576",
        "50000, 160"
    })
    void doctorRecommendsTheWorkersServePicksAndTheLimitTheirCapsNeed(int connections, long limit) throws Exception {
        ServeCommand serve = serve("--workers", "auto", "--max-connections", Integer.toString(connections));
        int workers = serve.workerCount(limit);
        int cap = serve.config(workers, limit).admission().maxConnections();

        JsonNode alone = doctor(limit, "--connections", Integer.toString(connections));
        if (workers == 1) {
            assertThat(hardLimitCheck(alone).get("status").asText()).isEqualTo("OK");
            assertThat(alone.get("workersNeeded").isNull()).isTrue();
        } else {
            assertThat(hardLimitCheck(alone).get("status").asText()).isEqualTo("FAIL");
            assertThat(alone.get("workersNeeded").asInt()).isEqualTo(workers);
        }

        JsonNode split =
                doctor(limit, "--connections", Integer.toString(connections), "--workers", Integer.toString(workers));
        JsonNode hard = hardLimitCheck(split);
        assertThat(hard.get("status").asText()).isEqualTo("OK");
        long needed = Long.parseLong(hard.get("needed").asText().replace(">= ", ""));
        assertThat(needed).isLessThanOrEqualTo(limit);
        // Under exactly the limit the doctor names, serve gives the busiest worker the same cap; one less, it cannot.
        ServeCommand fixed =
                serve("--workers", Integer.toString(workers), "--max-connections", Integer.toString(connections));
        assertThat(fixed.config(workers, needed).admission().maxConnections()).isEqualTo(cap);
        assertThat(fixed.config(workers, needed - 1).admission().maxConnections())
                .isLessThan(cap);
    }

    /** {@code serve --mode echo <args>}: only echo runs several workers until a Redis broker joins the gateway's. */
    private static ServeCommand serve(String... args) {
        ServeCommand serve = new ServeCommand(Map.of());
        List<String> all = new ArrayList<>(List.of("--mode", "echo"));
        all.addAll(List.of(args));
        new CommandLine(serve).parseArgs(all.toArray(String[]::new));
        return serve;
    }

    /** The JSON report of {@code throng doctor --json <args>} run with open-files limits of {@code limit}. */
    private static JsonNode doctor(long limit, String... args) throws Exception {
        StringWriter out = new StringWriter();
        CommandLine doctor = new CommandLine(new DoctorCommand(
                limitsOnly(limit),
                (key, value) -> {
                    throw new AssertionError("wrote " + key);
                },
                DoctorFixtures.EPOLL_LOADS));
        doctor.setOut(new PrintWriter(out));
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--json");
        assertThat(doctor.execute(all.toArray(new String[0])))
                .isIn(DoctorCommand.REACHABLE, DoctorCommand.NOT_REACHABLE);
        return new ObjectMapper().readTree(out.toString());
    }

    private static JsonNode hardLimitCheck(JsonNode report) {
        for (JsonNode check : report.get("checks")) {
            if (check.get("id").asText().equals("nofile-hard")) {
                return check;
            }
        }
        throw new AssertionError("no nofile-hard check in " + report);
    }

    /** A machine where only {@code /proc/self/limits} can be read, with soft and hard open-files limits of limit. */
    private static SystemReader limitsOnly(long limit) {
        return new SystemReader() {
            @Override
            public Optional<String> read(String path) {
                return path.equals("/proc/self/limits")
                        ? Optional.of(String.format("Max open files            %-20d %-20d files     %n", limit, limit))
                        : Optional.empty();
            }

            @Override
            public List<String> list(String directory) {
                return List.of();
            }
        };
    }
}
