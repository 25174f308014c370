package dev.throng.bench.worker;

import dev.throng.bench.protocol.Json;
import dev.throng.bench.protocol.WorkerMessage;
import dev.throng.bench.protocol.WorkerSpec;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Entry point of a worker process, started by the coordinator ({@code throng bench}) with the coordinator's class
 * path. Reads a {@link WorkerSpec} line and commands on stdin, writes {@link WorkerMessage} lines on stdout
 * ({@link ProtocolOut}); all else (logs, JVM warnings) goes to stderr, which the coordinator forwards prefixed with the
 * worker's number. With no argument the worker holds its connections on Netty's event loops ({@link Worker}); with
 * one, the path of an hsload binary, it runs that ({@link HsloadWorker}, {@code --loader hsload}).
 */
public final class WorkerMain {

    private WorkerMain() {}

    public static void main(String[] args) {
        ProtocolOut out = ProtocolOut.takeStdout();
        int status;
        try {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String first = in.readLine();
            if (first == null) {
                throw new IllegalStateException("no worker spec on stdin");
            }
            WorkerSpec spec = Json.MAPPER.readValue(first, WorkerSpec.class);
            status = args.length == 1
                    ? new HsloadWorker(spec, Path.of(args[0]), out).run(in)
                    : new Worker(spec, out).run(in);
        } catch (Throwable t) {
            t.printStackTrace();
            out.error(t.toString());
            status = 1;
        }
        System.exit(status);
    }
}
