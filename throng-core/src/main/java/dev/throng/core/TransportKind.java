package dev.throng.core;

/** Which Netty transport carries the sockets. */
public enum TransportKind {
    /** Native epoll when it loads on this machine, else NIO (the startup log says which, and why). */
    AUTO,
    /** Native epoll (Linux x86_64); fails at start when it cannot load. */
    EPOLL,
    /** The JDK's NIO selector; runs everywhere. */
    NIO
}
