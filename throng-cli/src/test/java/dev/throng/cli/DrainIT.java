package dev.throng.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** SIGTERM on {@code throng serve}: every client gets 1001, spread over the drain window, and the process exits 0. */
class DrainIT {

    @Test
    void sigtermClosesEveryConnectionWith1001SpreadOverTheWindowAndExitsZero() throws Exception {
        int connections = 3000;
        try (ServeProcess serve = ServeProcess.start("--drain-window", "3s");
                RawClients clients = RawClients.open(serve.port, connections)) {
            long signalled = System.nanoTime();
            serve.process.destroy(); // SIGTERM
            clients.awaitAllClosed(Duration.ofSeconds(20));

            long[] offsetsMs = clients.clients.stream()
                    .peek(c -> assertThat(c.closeCode)
                            .as("close code seen by a client")
                            .isEqualTo(1001))
                    .peek(c -> assertThat(c.tcpClosed)
                            .as("TCP closed after the close handshake")
                            .isTrue())
                    .mapToLong(c -> TimeUnit.NANOSECONDS.toMillis(c.closeAtNanos - signalled))
                    .sorted()
                    .toArray();
            long p10 = offsetsMs[connections / 10];
            long p90 = offsetsMs[connections * 9 / 10];
            // Spread over the 3 s window, not one stampede: the middle 80 % of closes span well over a second.
            assertThat(p90 - p10)
                    .as("spread of close times, p10=%d ms p90=%d ms", p10, p90)
                    .isGreaterThan(1500);
            assertThat(offsetsMs[connections - 1])
                    .as("last close within window plus slack")
                    .isLessThan(8000);

            assertThat(serve.process.waitFor(15, TimeUnit.SECONDS))
                    .as("process exited")
                    .isTrue();
            assertThat(serve.process.exitValue()).isZero();
        }
    }

    @Test
    void aSecondSignalExitsAtOnce() throws Exception {
        try (ServeProcess serve = ServeProcess.start("--drain-window", "60s");
                RawClients clients = RawClients.open(serve.port, 10)) {
            serve.process.destroy();
            Thread.sleep(500);
            serve.process.destroy();
            assertThat(serve.process.waitFor(5, TimeUnit.SECONDS))
                    .as("exited long before the 60 s window")
                    .isTrue();
            assertThat(serve.process.exitValue()).isEqualTo(130);
        }
    }
}
