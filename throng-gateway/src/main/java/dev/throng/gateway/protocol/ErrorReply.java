package dev.throng.gateway.protocol;

import java.util.Objects;

/**
 * A {@code pusher:error} to send: which error, and its message with the arguments in place. Made by
 * {@link PusherError#reply}, returned by the parser ({@link ClientMessage.Invalid}) and by the signature checks of
 * {@code dev.throng.gateway.auth}; the connection sends {@link #frame()} and, when {@code error().closes()}, closes.
 */
public record ErrorReply(PusherError error, String message) {
    public ErrorReply {
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(message, "message");
    }

    /** The frame: {@code {"event":"pusher:error","data":{"code":N|null,"message":"..."}}}. */
    public String frame() {
        return ServerFrames.error(error, message);
    }
}
