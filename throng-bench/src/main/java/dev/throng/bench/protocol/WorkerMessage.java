package dev.throng.bench.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One JSON line between coordinator and worker.
 *
 * <p>Worker to coordinator (stdout), in this order: {@code ready} once (with {@code openFilesLimit}),
 * {@code progress} every second after {@code go}, {@code ramped} once every attempt resolved, {@code report} once
 * every connection closed (then the worker exits); {@code error} at any time before it exits non-zero.
 *
 * <p>Coordinator to worker (stdin, after the {@link WorkerSpec} line): {@code go} (start the ramp),
 * {@code stop-ramp} (the ramp's deadline passed: issue no more attempts; {@code ramped} follows once those issued
 * resolve), {@code close} (start closing) and {@code drop} (the close deadline passed: end what is left without
 * the closing handshake; {@code report} follows). End of input means the coordinator is gone: the worker drops
 * everything and exits.
 *
 * @param type the message type, one of the {@code TYPE_} / {@code CMD_} constants
 * @param snapshot the worker's counters, for {@code ready}, {@code progress}, {@code ramped}, {@code report}
 * @param openFilesLimit {@code ready}: the soft open-files limit the worker runs under
 * @param error {@code error}: what went wrong
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WorkerMessage(String type, WorkerSnapshot snapshot, Long openFilesLimit, String error) {

    public static final String TYPE_READY = "ready";
    public static final String TYPE_PROGRESS = "progress";
    public static final String TYPE_RAMPED = "ramped";
    public static final String TYPE_REPORT = "report";
    public static final String TYPE_ERROR = "error";
    public static final String CMD_GO = "go";
    public static final String CMD_STOP_RAMP = "stop-ramp";
    public static final String CMD_CLOSE = "close";
    public static final String CMD_DROP = "drop";

    public static WorkerMessage of(String type, WorkerSnapshot snapshot) {
        return new WorkerMessage(type, snapshot, null, null);
    }

    public static WorkerMessage command(String cmd) {
        return new WorkerMessage(cmd, null, null, null);
    }
}
