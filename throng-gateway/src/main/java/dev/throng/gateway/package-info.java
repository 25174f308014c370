/**
 * The Pusher Channels gateway (issue #17): the protocol-7 WebSocket API, the REST API, webhooks and auth signatures
 * of Pusher Channels on Throng's engine, so that existing Pusher clients and server SDKs work unchanged.
 *
 * <p>Packages, in order: each depends only on those after it, and on nothing of the engine but its public API,
 * {@code dev.throng.core} (docs/design.md, "Modules and packages"; throng-cli's ArchitectureTest holds the arrows):
 * <ul>
 *   <li>{@code gateway} (this): {@link dev.throng.gateway.Gateway}, which assembles the rest, and
 *       {@link dev.throng.gateway.GatewayConfig}, which hands each part its settings;</li>
 *   <li>{@code http}: the REST API on the WebSocket port; {@code hub}: connections, channels and fan-out per event
 *       loop;</li>
 *   <li>{@code broker}: the SPI behind which publications, presence, channel counts and caches are shared between
 *       nodes (in-process here, Redis in throng-redis); {@code metrics}: Prometheus text, handed to the broker;
 *       {@code webhook}: webhook delivery;</li>
 *   <li>{@code auth}: signatures (its failures are protocol errors); {@code protocol}: Pusher's messages,
 *       channel names and error codes; {@code app}: the apps and their limits.</li>
 * </ul>
 */
package dev.throng.gateway;
