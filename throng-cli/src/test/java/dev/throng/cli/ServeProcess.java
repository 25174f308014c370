package dev.throng.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs {@code throng serve} from the built jar as a child process, the way an operator does. */
final class ServeProcess implements AutoCloseable {
    final Process process;
    final int port;
    /** This process's output (stdout and stderr), beside the jar. */
    final Path log;

    private ServeProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    static ServeProcess start(String... args) throws IOException, InterruptedException {
        return start(List.of(), args);
    }

    /** As {@link #start(String...)}, in gateway mode: the Pusher gateway, with the development app unless told. */
    static ServeProcess startGateway(String... args) throws IOException, InterruptedException {
        return start(List.of(), Map.of(), List.of("-Xmx256m"), "gateway", args);
    }

    /** As {@link #start(String...)}, with the open-files limit (soft and hard) of the process set by prlimit. */
    static ServeProcess startWithOpenFilesLimit(int limit, String... args) throws IOException, InterruptedException {
        return start(List.of("prlimit", "--nofile=" + limit + ":" + limit, "--"), args);
    }

    /** As {@link #start(String...)}, with these environment variables set (or replaced) for the process. */
    static ServeProcess startWithEnvironment(Map<String, String> environment, String... args)
            throws IOException, InterruptedException {
        return start(List.of(), environment, List.of("-Xmx256m"), "echo", args);
    }

    /**
     * The gateway ({@code serve --mode gateway}), with these environment variables set (or replaced), and every other
     * {@code THRONG_} variable of the test's environment removed. Netty's leak detector runs at paranoid in it and in
     * its workers, as in every test, so that a leak is logged (as an ERROR naming LEAK) to its output.
     */
    static ServeProcess startGateway(Map<String, String> environment, String... args)
            throws IOException, InterruptedException {
        Map<String, String> withWorkers = new java.util.HashMap<>(Map.of("THRONG_WORKER_JAVA_OPTS", PARANOID));
        withWorkers.putAll(environment);
        return start(List.of(), withWorkers, List.of("-Xmx256m", PARANOID), "gateway", args);
    }

    private static final String PARANOID = "-Dio.netty.leakDetection.level=paranoid";

    /**
     * As bin/throng starts it: with the JVM flags {@code WorkerPlan} prints for these arguments (bin/throng runs the
     * same {@code java -cp throng.jar dev.throng.cli.WorkerPlan serve ...}) and {@code MALLOC_ARENA_MAX=2}, plus
     * {@code extraJvmFlags}.
     */
    static ServeProcess startAsBinThrong(List<String> extraJvmFlags, String... args)
            throws IOException, InterruptedException {
        List<String> planArgs = new ArrayList<>(List.of("serve", "--mode", "echo"));
        planArgs.addAll(List.of(args));
        List<String> plan = new ArrayList<>(List.of(java(), "-cp", jar(), WorkerPlan.class.getName()));
        plan.addAll(planArgs);
        Process launcher = new ProcessBuilder(plan).redirectErrorStream(true).start();
        String flags =
                new String(launcher.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
        if (launcher.waitFor() != 0 || flags.isEmpty()) {
            throw new IOException("WorkerPlan printed no flags: " + flags);
        }
        List<String> jvm = new ArrayList<>(List.of(flags.split("\\s+")));
        jvm.addAll(extraJvmFlags);
        return start(List.of(), Map.of("MALLOC_ARENA_MAX", WorkerPlan.MALLOC_ARENA_MAX), jvm, "echo", args);
    }

    private static ServeProcess start(List<String> prefix, String... args) throws IOException, InterruptedException {
        return start(prefix, Map.of(), List.of("-Xmx256m"), "echo", args);
    }

    private static ServeProcess start(
            List<String> prefix, Map<String, String> environment, List<String> jvmFlags, String mode, String... args)
            throws IOException, InterruptedException {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        List<String> command = new ArrayList<>(prefix);
        command.add(java());
        command.addAll(jvmFlags);
        command.addAll(List.of(
                "-jar", jar(), "serve", "--mode", mode, "--host", "127.0.0.1", "--port", Integer.toString(port)));
        command.addAll(List.of(args));
        Path log = Path.of(jar()).toAbsolutePath().getParent().resolve("serve-process-" + port + ".log");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        if (mode.equals("gateway")) {
            builder.environment()
                    .keySet()
                    .removeIf(name -> name.startsWith("THRONG_") && !name.equals("THRONG_CACHE_DIR"));
        }
        builder.environment().putAll(environment);
        Process p = builder.start();
        ServeProcess sp = new ServeProcess(p, port, log);
        sp.awaitListening(Duration.ofSeconds(20));
        return sp;
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String jar() {
        return System.getProperty("throng.jar", "target/throng.jar");
    }

    /** What this process has written so far. */
    String output() throws IOException {
        return Files.readString(log);
    }

    void awaitListening(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("serve exited with " + process.exitValue() + "; see " + log);
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
