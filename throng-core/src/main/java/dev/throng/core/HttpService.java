package dev.throng.core;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpRequest;

/**
 * Plain HTTP on the server's own port, next to WebSocket (issue #17: the Pusher REST API is served on the WebSocket
 * port, as Pusher-compatible servers do). The server parses every request's head itself; a request that is not a
 * WebSocket upgrade, and not {@code /healthz}, and that {@link #serves} claims, is handed over with its socket: the
 * server gives the socket a Netty channel on the same event loop, lets {@link #initChannel} set up its pipeline
 * (an HTTP codec and the service's handlers), and fires the bytes it read so far (the request head and whatever
 * followed) into it. From then on the connection is the service's: keep-alive, bodies and replies are its business.
 *
 * <p>Both methods run on the event loop that accepted the socket and must not block. Connections handed over are not
 * WebSocket connections: they are not counted as such, pinged or drained.
 */
public interface HttpService {

    /** Whether this service answers {@code request} (a request head, before any body). */
    boolean serves(HttpRequest request);

    /**
     * Sets up the pipeline of a connection handed over to this service. It receives the raw bytes of the request it
     * claimed, so the pipeline starts with an HTTP server codec.
     */
    void initChannel(Channel channel);
}
