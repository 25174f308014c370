/**
 * The Pusher Channels gateway (issue #17): the protocol-7 WebSocket API, the REST API, webhooks and auth signatures
 * of Pusher Channels on Throng's engine, so that existing Pusher clients and server SDKs work unchanged.
 *
 * <p>Packages, and the arrows between them (each depends only on those to its right, and all on the engine's public
 * API, {@code dev.throng.core}):
 * <ul>
 *   <li>{@code gateway} (this): {@link dev.throng.gateway.Gateway}, which assembles the rest, and
 *       {@link dev.throng.gateway.GatewayConfig};</li>
 *   <li>{@code http}: the REST API on the WebSocket port; {@code hub}: connections, channels and fan-out per event
 *       loop; {@code webhook}: webhook delivery; {@code metrics}: Prometheus text;</li>
 *   <li>{@code broker}: the SPI behind which publications, presence, channel counts and caches are shared between
 *       nodes (in-process here, Redis in throng-redis);</li>
 *   <li>{@code auth}: signatures (its failures are protocol errors); {@code protocol}: Pusher's messages,
 *       channel names and error codes; {@code app}: the apps and their limits.</li>
 * </ul>
 */
package dev.throng.gateway;
