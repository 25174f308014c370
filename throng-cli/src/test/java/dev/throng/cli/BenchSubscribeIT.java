package dev.throng.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.throng.bench.protocol.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code throng bench --scenario subscribe} as bench/fanout-run.sh runs it, against {@code throng serve --mode gateway}
 * from the built jar with its development app: subscribers in a worker process, the bench's signed publisher on the
 * gateway's HTTP API, and a report that adds up every delivery.
 */
class BenchSubscribeIT {

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void fiftySubscribersOfOneChannelEachGetEveryEventOfAPublishStep() throws Exception {
        try (ServeProcess gateway = ServeProcess.startGateway()) {
            Path report = dir.resolve("subscribe.json");
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine throng =
                    Main.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));

            int status = throng.execute(
                    "bench",
                    "--scenario",
                    "subscribe",
                    "--url",
                    "ws://127.0.0.1:" + gateway.port,
                    "-n",
                    "50",
                    "--workers",
                    "1",
                    "--rate",
                    "500",
                    "--channels",
                    "1",
                    "--event-size",
                    "256",
                    "--publish-steps",
                    "20",
                    "--step-duration",
                    "1s",
                    "--step-gap",
                    "1s",
                    "--publish-warmup",
                    "0",
                    "--server-pid",
                    Long.toString(gateway.process.pid()),
                    "--report",
                    report.toString());

            String printed = out + "\n" + err;
            System.out.println(printed);
            assertThat(status).as(printed).isZero();
            assertThat(gateway.process.isAlive())
                    .as("the gateway is still serving; its log: %s", gateway.log)
                    .isTrue();
            JsonNode fanout = Json.MAPPER.readTree(Files.readString(report)).path("fanout");
            assertThat(fanout.path("subscribe").path("connections").asLong())
                    .as("subscribed")
                    .isEqualTo(50);
            assertThat(fanout.path("subscribe").path("failed").asLong())
                    .as("not subscribed")
                    .isZero();
            assertThat(fanout.path("steps")).hasSize(1);
            JsonNode step = fanout.path("steps").get(0);
            // 1 s at 20 events/s on the one channel, each event to all 50 subscribers.
            assertThat(step.path("expectedDeliveries").asLong())
                    .as(step.toString())
                    .isEqualTo(20 * 50);
            assertThat(step.path("receivedAtEvaluation").asLong())
                    .as(step.toString())
                    .isEqualTo(20 * 50);
            assertThat(step.path("receivedFinal").asLong()).as(step.toString()).isEqualTo(20 * 50);
            assertThat(step.path("missingAtEvaluation").asLong()).isZero();
            assertThat(step.path("lostFinal").asLong()).isZero();
            assertThat(step.path("passed").asBoolean()).as(step.toString()).isTrue();
            JsonNode deliveries = fanout.path("deliveries");
            assertThat(deliveries.path("received").asLong())
                    .as("every delivery of the run")
                    .isEqualTo(20 * 50);
            assertThat(deliveries.path("gaps").asLong()).isZero();
            assertThat(deliveries.path("outOfOrder").asLong()).isZero();
            assertThat(deliveries.path("unreadable").asLong()).isZero();
            assertThat(deliveries.path("pusherErrors").asLong()).isZero();
            assertThat(out.toString())
                    .contains(
                            "step 0: 20.0 events/s per channel",
                            "missing 0",
                            "PASS",
                            "subscribe     50 connections subscribed to 1 of 1 channels");
        }
    }
}
