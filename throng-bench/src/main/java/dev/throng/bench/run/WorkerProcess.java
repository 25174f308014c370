package dev.throng.bench.run;

import dev.throng.bench.protocol.HistogramKind;
import dev.throng.bench.protocol.Histograms;
import dev.throng.bench.protocol.Json;
import dev.throng.bench.protocol.WorkerMessage;
import dev.throng.bench.protocol.WorkerSnapshot;
import dev.throng.bench.protocol.WorkerSpec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The coordinator's handle on one worker process: starts it, sends it the spec and commands, and keeps what it
 * reports. One thread reads the worker's stdout (protocol lines), one forwards its stderr, prefixed.
 *
 * <p>Fields written by the reader thread are volatile; the coordinator polls them once a second.
 */
final class WorkerProcess {

    final WorkerSpec spec;
    private final Process process;
    private final Writer stdin;
    private final PrintWriter err;
    private final Map<HistogramKind, Histogram> interval = new EnumMap<>(HistogramKind.class);
    volatile WorkerSnapshot ready;
    volatile Long openFilesLimit;
    volatile WorkerSnapshot latest;
    /** When {@link #latest} arrived (System.nanoTime). */
    volatile long latestNanos;

    volatile WorkerSnapshot ramped;
    volatile WorkerSnapshot report;
    volatile String error;
    /** Protocol output ended: the worker exited or is exiting. */
    volatile boolean ended;

    private WorkerProcess(WorkerSpec spec, Process process, PrintWriter err) {
        this.spec = spec;
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.err = err;
    }

    /** Starts a worker with {@code command} (java and its options, class path and main class) and sends the spec. */
    static WorkerProcess start(WorkerSpec spec, List<String> command, PrintWriter err) throws IOException {
        Process p = new ProcessBuilder(command).start();
        WorkerProcess w = new WorkerProcess(spec, p, err);
        w.thread("bench-worker-" + spec.worker() + "-out", () -> w.readProtocol(p.getInputStream()));
        w.thread("bench-worker-" + spec.worker() + "-err", () -> w.forward(p.getErrorStream()));
        w.send(Json.MAPPER.writeValueAsString(spec));
        return w;
    }

    private void thread(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
    }

    /** Sends a command; a worker that is gone is noticed by {@link #ended}, so write errors are ignored. */
    void command(String cmd) {
        try {
            send(Json.MAPPER.writeValueAsString(WorkerMessage.command(cmd)));
        } catch (IOException e) {
            // the worker exited; the coordinator sees it through `ended`
        }
    }

    private synchronized void send(String line) throws IOException {
        stdin.write(line);
        stdin.write('\n');
        stdin.flush();
    }

    private void readProtocol(InputStream in) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (!line.startsWith("{")) { // e.g. a JVM warning printed to stdout before main()
                    err.println("[worker " + spec.worker() + "] " + line);
                    err.flush();
                    continue;
                }
                handle(Json.MAPPER.readValue(line, WorkerMessage.class));
            }
        } catch (IOException | RuntimeException e) {
            error = error != null ? error : "unreadable output: " + e;
        } finally {
            ended = true;
        }
    }

    private void handle(WorkerMessage m) {
        switch (m.type()) {
            case WorkerMessage.TYPE_READY:
                openFilesLimit = m.openFilesLimit();
                latest = m.snapshot();
                ready = m.snapshot();
                break;
            case WorkerMessage.TYPE_PROGRESS:
                addInterval(m.snapshot());
                latest = m.snapshot();
                latestNanos = System.nanoTime();
                break;
            case WorkerMessage.TYPE_RAMPED:
                ramped = m.snapshot();
                break;
            case WorkerMessage.TYPE_REPORT:
                latest = m.snapshot();
                latestNanos = System.nanoTime();
                report = m.snapshot();
                break;
            case WorkerMessage.TYPE_ERROR:
                error = m.error();
                break;
            default:
                break;
        }
    }

    private synchronized void addInterval(WorkerSnapshot s) {
        s.histograms().forEach((key, encoded) -> {
            for (HistogramKind kind : HistogramKind.values()) {
                if (kind.key().equals(key)) {
                    interval.computeIfAbsent(kind, k -> Histograms.create()).add(Histograms.decode(encoded));
                }
            }
        });
    }

    /** Adds the interval histograms received since the last call to {@code into}, and forgets them. */
    synchronized void drainInterval(Map<HistogramKind, Histogram> into) {
        interval.forEach((kind, h) ->
                into.computeIfAbsent(kind, k -> Histograms.create()).add(h));
        interval.clear();
    }

    private void forward(InputStream in) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                err.println("[worker " + spec.worker() + "] " + line);
                err.flush();
            }
        } catch (IOException e) {
            // the process is gone
        }
    }

    /** Ends input (a worker that has not reported takes that as "drop everything and exit"). */
    void closeInput() {
        try {
            stdin.close();
        } catch (IOException e) {
            // already gone
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** Waits up to {@code millis} for the process to exit, then kills it (this process, by its own handle). */
    void reap(long millis) throws InterruptedException {
        if (!process.waitFor(millis, TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }

    void kill() {
        process.destroyForcibly();
    }

    /** What a dead worker left behind, for the error message. */
    String describeFailure() {
        List<String> parts = new ArrayList<>();
        if (error != null) {
            parts.add(error);
        }
        if (!process.isAlive()) {
            parts.add("exit status " + process.exitValue());
        }
        return "worker " + spec.worker() + (parts.isEmpty() ? " stopped reporting" : ": " + String.join(", ", parts));
    }
}
