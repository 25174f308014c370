package dev.throng.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Supervisor#workerClassPath}: which jar a worker runs on. */
class SupervisorTest {

    @Test
    void anEchoWorkerRunsOnTheEchoJarBesideThrongJar(@TempDir Path dir) throws Exception {
        Path jar = Files.createFile(dir.resolve("throng.jar"));
        Path echo = Files.createFile(dir.resolve(Supervisor.ECHO_WORKER_JAR));
        assertThat(Supervisor.workerClassPath(jar.toString(), false)).isEqualTo(echo.toString());
    }

    @Test
    void aGatewayWorkerRunsOnTheWholeJar(@TempDir Path dir) throws Exception {
        Path jar = Files.createFile(dir.resolve("throng.jar"));
        Files.createFile(dir.resolve(Supervisor.ECHO_WORKER_JAR));
        assertThat(Supervisor.workerClassPath(jar.toString(), true)).isEqualTo(jar.toString());
    }

    @Test
    void withoutTheEchoJarOrWithAClassPathOfSeveralEntriesWorkersRunOnTheSupervisorsClassPath(@TempDir Path dir)
            throws Exception {
        Path jar = Files.createFile(dir.resolve("throng.jar"));
        assertThat(Supervisor.workerClassPath(jar.toString(), false)).isEqualTo(jar.toString());
        Files.createFile(dir.resolve(Supervisor.ECHO_WORKER_JAR));
        String classes = dir.resolve("classes") + File.pathSeparator + jar;
        assertThat(Supervisor.workerClassPath(classes, false)).isEqualTo(classes);
    }
}
