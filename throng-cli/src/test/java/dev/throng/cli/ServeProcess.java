package dev.throng.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs {@code throng serve} from the built jar as a child process, the way an operator does. */
final class ServeProcess implements AutoCloseable {
    final Process process;
    final int port;

    private ServeProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static ServeProcess start(String... args) throws IOException, InterruptedException {
        return start(List.of(), args);
    }

    /** As {@link #start(String...)}, with the open-files limit (soft and hard) of the process set by prlimit. */
    static ServeProcess startWithOpenFilesLimit(int limit, String... args) throws IOException, InterruptedException {
        return start(List.of("prlimit", "--nofile=" + limit + ":" + limit, "--"), args);
    }

    /** As {@link #start(String...)}, with these environment variables set (or replaced) for the process. */
    static ServeProcess startWithEnvironment(Map<String, String> environment, String... args)
        throws IOException, InterruptedException {
        return start(List.of(), environment, args);
    }

    private static ServeProcess start(List<String> prefix, String... args) throws IOException, InterruptedException {
        return start(prefix, Map.of(), args);
    }

    private static ServeProcess start(List<String> prefix, Map<String, String> environment, String... args)
        throws IOException, InterruptedException {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        String jar = System.getProperty("throng.jar", "target/throng.jar");
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar", jar,
            "serve", "--host", "127.0.0.1", "--port", Integer.toString(port)));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
        builder.environment().putAll(environment);
        Process p = builder.start();
        ServeProcess sp = new ServeProcess(p, port);
        sp.awaitListening(Duration.ofSeconds(20));
        return sp;
    }

    /** The log of every serve process a test started, beside the jar. */
    static Path log() {
        return Path.of(System.getProperty("throng.jar", "target/throng.jar")).toAbsolutePath().getParent()
            .resolve("serve-process.log");
    }

    void awaitListening(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("serve exited with " + process.exitValue() + "; see " + log());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IOException("serve did not listen on " + port + " within " + timeout);
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
