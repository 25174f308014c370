package dev.throng.bench.worker;

import dev.throng.bench.protocol.Json;
import dev.throng.bench.protocol.WorkerMessage;
import dev.throng.bench.protocol.WorkerSpec;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Entry point of a worker process, started by the coordinator ({@code throng bench}) with the coordinator's class
 * path. Reads a {@link WorkerSpec} line and commands on stdin, writes {@link WorkerMessage} lines on stdout; all
 * else (logs, JVM warnings) goes to stderr, which the coordinator forwards prefixed with the worker's number.
 */
public final class WorkerMain {

    private WorkerMain() {}

    public static void main(String[] args) {
        // The protocol owns stdout; anything else printing there (a logging backend, a library) is sent to stderr.
        PrintStream protocol = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        System.setOut(System.err);
        int status;
        Worker worker = null;
        try {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String first = in.readLine();
            if (first == null) {
                System.err.println("no worker spec on stdin");
                System.exit(1);
            }
            worker = new Worker(Json.MAPPER.readValue(first, WorkerSpec.class), protocol);
            status = worker.run(in);
        } catch (Throwable t) {
            t.printStackTrace();
            String message = t.toString();
            if (worker != null) {
                worker.emit(new WorkerMessage(WorkerMessage.TYPE_ERROR, null, null, message));
            } else {
                protocol.println("{\"type\":\"error\",\"error\":" + quote(message) + "}");
                protocol.flush();
            }
            status = 1;
        }
        System.exit(status);
    }

    private static String quote(String s) {
        try {
            return Json.MAPPER.writeValueAsString(s);
        } catch (Exception e) {
            return "\"?\"";
        }
    }
}
