package dev.throng.bench.worker;

import dev.throng.bench.protocol.Json;
import dev.throng.bench.protocol.WorkerMessage;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * A worker's protocol output: {@link WorkerMessage} lines on the process's real stdout, one writer for every thread.
 * Made once per process; from then on anything else that prints to {@code System.out} (a logging backend, a library)
 * goes to stderr, which the coordinator forwards prefixed with the worker's number.
 */
final class ProtocolOut {
    private final PrintStream stdout;

    private ProtocolOut(PrintStream stdout) {
        this.stdout = stdout;
    }

    /** Takes the process's stdout for the protocol and points {@code System.out} at stderr. */
    static ProtocolOut takeStdout() {
        PrintStream stdout = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        System.setOut(System.err);
        return new ProtocolOut(stdout);
    }

    /** Writes one message line. */
    synchronized void emit(WorkerMessage message) {
        try {
            stdout.println(Json.MAPPER.writeValueAsString(message));
            stdout.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes an {@code error} message. */
    void error(String message) {
        emit(new WorkerMessage(WorkerMessage.TYPE_ERROR, null, null, message));
    }
}
