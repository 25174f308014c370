package dev.throng.core;

/**
 * What starts a server: the engine's transport implements it ({@code dev.throng.core.transport}), and
 * {@link ThrongServer#start} finds it with {@link java.util.ServiceLoader} ({@code META-INF/services}), so that the
 * public API names no class of the transport and the transport depends on the API, not the other way round
 * (docs/design.md, "Modules and packages"; throng-cli's ArchitectureTest holds the arrow).
 *
 * <p>Not for applications: they call {@link ThrongServer#start}. An implementation has a public no-argument
 * constructor; {@link #start} may be called from any thread, any number of times.
 */
public interface ServerProvider {

    /** Binds and starts serving, as {@link ThrongServer#start(ServerConfig, WebSocketHandler, HttpService)}. */
    ThrongServer start(ServerConfig config, WebSocketHandler handler, HttpService httpService);
}
