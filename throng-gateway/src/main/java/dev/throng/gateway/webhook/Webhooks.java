package dev.throng.gateway.webhook;
import dev.throng.gateway.GatewayConfig; import dev.throng.gateway.app.App; import dev.throng.gateway.metrics.GatewayMetrics;
// PLACEHOLDER (uncommitted)
public final class Webhooks implements AutoCloseable {
    public Webhooks(GatewayConfig c) {}
    public void channelOccupied(App a, String c) {} public void channelVacated(App a, String c) {}
    public void memberAdded(App a, String c, String u) {} public void memberRemoved(App a, String c, String u) {}
    public void clientEvent(App a, String c, String e, String d, String s, String u) {} public void cacheMiss(App a, String c) {}
    public void registerMetrics(GatewayMetrics m) {}
    public void close() {}
}
