package dev.throng.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** {@code throng serve --workers 3}: three processes share one port; a killed one is restarted; SIGTERM stops all. */
class WorkersIT {

    @Test
    void threeWorkersShareOnePortAndAKilledWorkerIsRestarted() throws Exception {
        try (ServeProcess serve = ServeProcess.start("--workers", "3", "--max-connections-per-address", "1000")) {
            await().atMost(Duration.ofSeconds(30)).until(() -> workers(serve).size() == 3);
            List<ProcessHandle> first = workers(serve);
            for (ProcessHandle w : first) {
                // Workers start without the command-line parser, from the configuration the supervisor resolved.
                assertThat(w.info().arguments().map(List::of).orElseThrow())
                        .contains(
                                ServerProcess.class.getName(),
                                "--admission.maxConnectionsPerAddress=1000",
                                "--listen.reusePort=true")
                        .doesNotContain("serve");
                // An echo worker runs on the jar without the gateway's and the cluster's libraries.
                assertThat(w.info().arguments().map(List::of).orElseThrow())
                        .anyMatch(a -> a.endsWith("/" + Supervisor.ECHO_WORKER_JAR));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> first.stream().allMatch(w -> sockets(w) > 0));
            Thread.sleep(500); // let the readiness probes' sockets close before the baseline
            Map<Long, Long> before = socketsByPid(first);

            try (RawClients clients = RawClients.open(serve.port, 300)) {
                // Socket counts settle once probe connections are closed; all 300 upgrades are held by the workers.
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    Map<Long, Long> after = socketsByPid(first);
                    long total = first.stream()
                            .mapToLong(w -> after.get(w.pid()) - before.get(w.pid()))
                            .sum();
                    assertThat(total).as("connections held by the workers").isEqualTo(300);
                    for (ProcessHandle w : first) {
                        assertThat(after.get(w.pid()) - before.get(w.pid()))
                                .as("connections landed on worker pid %d", w.pid())
                                .isPositive();
                    }
                });
            }

            ProcessHandle victim = first.get(1);
            victim.destroyForcibly();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                List<ProcessHandle> now = workers(serve);
                return now.size() == 3 && now.stream().noneMatch(w -> w.pid() == victim.pid());
            });
            serve.awaitListening(Duration.ofSeconds(20));
            try (RawClients again = RawClients.open(serve.port, 30)) {
                assertThat(again.clients).hasSize(30);
            }

            serve.process.destroy(); // SIGTERM to the supervisor, forwarded to every worker
            assertThat(serve.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(serve.process.exitValue()).isZero();
            assertThat(workers(serve).stream().filter(ProcessHandle::isAlive)).isEmpty();
        }
    }

    private static List<ProcessHandle> workers(ServeProcess serve) {
        return serve.process.children().filter(ProcessHandle::isAlive).collect(Collectors.toList());
    }

    private static Map<Long, Long> socketsByPid(List<ProcessHandle> workers) {
        return workers.stream().collect(Collectors.toMap(ProcessHandle::pid, WorkersIT::sockets));
    }

    /** Open sockets of a process, from /proc/PID/fd. */
    private static long sockets(ProcessHandle process) {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(process.pid()), "fd"))) {
            return fds.map(WorkersIT::linkOrEmpty)
                    .filter(l -> l.startsWith("socket:"))
                    .count();
        } catch (IOException e) {
            return 0;
        }
    }

    private static String linkOrEmpty(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString();
        } catch (IOException e) {
            return "";
        }
    }
}
