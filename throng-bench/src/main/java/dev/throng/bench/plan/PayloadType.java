package dev.throng.bench.plan;

/** The kind of data frame the echo scenario sends. */
public enum PayloadType {
    /** Text frames: the send time as 16 hex digits, then {@code x} up to the size. */
    TEXT,
    /** Binary frames: the send time as 8 big-endian bytes, then zeros up to the size. */
    BINARY
}
