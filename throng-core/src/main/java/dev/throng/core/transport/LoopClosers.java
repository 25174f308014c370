package dev.throng.core.transport;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ThreadAwareExecutor;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The I/O handler factory of the server's event loops, remembering each loop's handler so the server can close
 * what is registered on every loop before it shuts the loops down ({@link #closeAll}).
 *
 * <p>Why: Netty 4.2's loop closes what is registered ({@link IoHandler#prepareToDestroy}) only when it notices the
 * shutdown right after an I/O step. A loop that notices it first when confirming the shutdown (with no quiet
 * period, as here: the server drains its connections itself first) ends without it, and the connections still
 * registered there are never closed: the buffers they hold leak and {@code onClose} never runs. Load runs that stop
 * the server mid-traffic saw it on one loop of two in some rounds.
 */
final class LoopClosers implements IoHandlerFactory {
    private final IoHandlerFactory factory;
    private final Map<ThreadAwareExecutor, IoHandler> handlers = new ConcurrentHashMap<>();

    LoopClosers(IoHandlerFactory factory) {
        this.factory = factory;
    }

    @Override
    public IoHandler newHandler(ThreadAwareExecutor executor) {
        IoHandler handler = factory.newHandler(executor);
        handlers.put(executor, handler);
        return handler;
    }

    @Override
    public boolean isChangingThreadSupported() {
        return factory.isChangingThreadSupported();
    }

    /**
     * Closes, on each loop of {@code group} in turn, everything registered there (connections, handshakes, HTTP
     * channels), as the loop would when it shuts down; returns once every loop has.
     */
    void closeAll(EventLoopGroup group) {
        for (EventExecutor executor : group) {
            IoHandler handler = executor instanceof ThreadAwareExecutor ? handlers.get(executor) : null;
            if (handler != null && !executor.isShuttingDown()) {
                executor.submit(handler::prepareToDestroy).awaitUninterruptibly();
            }
        }
    }
}
