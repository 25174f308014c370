package dev.throng.redis;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} (the Debian package's, {@code /usr/bin/redis-server}) of a test's own, on a free
 * loopback port, with nothing persisted ({@code --save "" --appendonly no}): started by the test, stopped by it.
 * {@link #stop} and {@link #start} again on the same port play an outage and a restart that lost everything. Public
 * (in this module's test jar) for the CLI's tests, which run {@code throng serve --redis} against one.
 *
 * <pre>
 * try (RedisServer redis = RedisServer.start()) {
 *     RedisBroker broker = RedisBroker.connect(redis.uri());
 *     ...
 * }
 * </pre>
 */
public final class RedisServer implements AutoCloseable {
    private static final String BINARY = System.getProperty("redis.server", "/usr/bin/redis-server");
    /**
     * Every redis-server started here and not stopped yet. The test JVM ends them when it exits, so a test that fails
     * before its cleanup runs (a missing class, a failed setup) leaves no server behind (one such run left 16).
     */
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly), "redis-server-reaper"));
    }

    private final int port;
    private final Path dir;
    private Process process;

    private RedisServer(int port, Path dir) {
        this.port = port;
        this.dir = dir;
    }

    /** Starts one on a free port. */
    public static RedisServer start() throws IOException, InterruptedException {
        RedisServer redis = new RedisServer(freePort(), Files.createTempDirectory("throng-redis-"));
        redis.start(Duration.ofSeconds(10));
        return redis;
    }

    /** Starts it (again, on the same port, empty). */
    public void start(Duration within) throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("redis-server already runs on " + port);
        }
        process = new ProcessBuilder(List.of(
                        BINARY,
                        "--port",
                        Integer.toString(port),
                        "--bind",
                        "127.0.0.1",
                        "--save",
                        "",
                        "--appendonly",
                        "no",
                        "--dir",
                        dir.toString(),
                        "--daemonize",
                        "no",
                        "--loglevel",
                        "warning"))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile())
                .start();
        RUNNING.add(process);
        long deadline = System.nanoTime() + within.toNanos();
        while (!answersPing()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IOException("redis-server did not start on " + port + ": " + log());
            }
            Thread.sleep(20);
        }
    }

    /** Stops it (SIGTERM; SIGKILL after 5 s): connections drop, and everything it held is gone. */
    public void stop() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        RUNNING.remove(process);
    }

    public int port() {
        return port;
    }

    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    private boolean answersPing() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            s.setSoTimeout(500);
            s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            byte[] reply = new byte[7];
            int n = in.read(reply);
            return n > 0 && new String(reply, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("redis.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort(); // never 6379 in practice: the ephemeral range starts far above it
        }
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
