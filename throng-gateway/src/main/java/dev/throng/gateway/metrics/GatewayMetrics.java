package dev.throng.gateway.metrics;

import dev.throng.core.ServerStats;
import dev.throng.core.ThrongServer;
import dev.throng.gateway.app.App;
import dev.throng.gateway.app.Apps;
import dev.throng.gateway.protocol.PusherError;
import dev.throng.gateway.webhook.WebhookStats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The gateway's metrics (issue #17 item 12), in Prometheus' text format at {@code GET /metrics}: connections and
 * subscriptions per app, channels, events in, deliveries and bytes out, slow-consumer closes, client-event rate-limit
 * hits, refusals by reason, errors sent, REST requests throttled and the publication backlog, webhook deliveries, the
 * fan-out latency (publication accepted → written, a histogram), the engine's counters (memory in flight, read
 * pauses, failures) and the JVM's memory and collections.
 *
 * <p>Micrometer over its Prometheus registry. The hot paths touch counters found once per app (arrays indexed by the
 * app's position), never a lookup by tags; a delivery task adds its count once, not once per subscriber.
 */
public final class GatewayMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Apps apps;
    private final Counter[] published;
    private final Counter[] deliveries;
    private final Counter[] bytesOut;
    private final Counter[] slowConsumers;
    private final Counter[] rateLimited;
    private final Counter[] clientEvents;
    private final Counter[] authFailures;
    private final Counter[] restThrottled;
    private final Timer[] fanoutLatency;
    private final Map<PusherError, Counter> refusals = new EnumMap<>(PusherError.class);
    private final Map<PusherError, Counter> errors = new EnumMap<>(PusherError.class);

    public GatewayMetrics(Apps apps) {
        this.apps = apps;
        int n = apps.size();
        published = new Counter[n];
        deliveries = new Counter[n];
        bytesOut = new Counter[n];
        slowConsumers = new Counter[n];
        rateLimited = new Counter[n];
        clientEvents = new Counter[n];
        authFailures = new Counter[n];
        restThrottled = new Counter[n];
        fanoutLatency = new Timer[n];
        for (App app : apps.all()) {
            int i = apps.indexOf(app);
            String id = app.id();
            published[i] = Counter.builder("throng_events_published")
                    .tag("app", id)
                    .description("Events accepted for publication (REST, client events, presence changes)")
                    .register(registry);
            deliveries[i] = Counter.builder("throng_deliveries")
                    .tag("app", id)
                    .description("Event frames written to subscribers")
                    .register(registry);
            bytesOut[i] = Counter.builder("throng_delivered_bytes")
                    .tag("app", id)
                    .description("Bytes of event frames written to subscribers")
                    .register(registry);
            slowConsumers[i] = Counter.builder("throng_slow_consumer_closes")
                    .tag("app", id)
                    .description("Subscribers closed because they did not read fast enough")
                    .register(registry);
            rateLimited[i] = Counter.builder("throng_client_event_rate_limited")
                    .tag("app", id)
                    .description("Client events refused by the per-connection rate limit")
                    .register(registry);
            clientEvents[i] = Counter.builder("throng_client_events")
                    .tag("app", id)
                    .description("Client events accepted")
                    .register(registry);
            authFailures[i] = Counter.builder("throng_auth_failures")
                    .tag("app", id)
                    .description("Subscriptions and sign-ins refused for a bad signature")
                    .register(registry);
            restThrottled[i] = Counter.builder("throng_rest_throttled")
                    .tag("app", id)
                    .description(
                            "REST events and batch_events requests answered 429: the publication backlog was at its "
                                    + "limit")
                    .register(registry);
            fanoutLatency[i] = Timer.builder("throng_fanout_latency")
                    .tag("app", id)
                    .description("From a publication's acceptance to its frame written to a loop's subscribers")
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofSeconds(10))
                    .register(registry);
        }
        for (PusherError e : PusherError.values()) {
            refusals.put(
                    e,
                    Counter.builder("throng_connections_refused")
                            .tag("reason", e.name())
                            .description("Connections told to go away at the handshake, by reason")
                            .register(registry));
            errors.put(
                    e,
                    Counter.builder("throng_errors_sent")
                            .tag("error", e.name())
                            .description("pusher:error messages sent, by error")
                            .register(registry));
        }
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics(registry);
        new JvmThreadMetrics().bindTo(registry);
    }

    /**
     * Collections and their time per collector, read from the JVM's beans when scraped. Not Micrometer's
     * {@code JvmGcMetrics}: it listens to every collection and builds the JMX notification's composite data each
     * time, which a fresh process paid in its first ramp (1.8 % of the server's CPU over 15,000 connect + subscribes,
     * most of it interpreted JMX type mapping) and which loads the JMX open-type classes into every worker.
     */
    private static void gcMetrics(MeterRegistry registry) {
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            FunctionCounter.builder("jvm.gc.collections", gc, GarbageCollectorMXBean::getCollectionCount)
                    .tag("gc", gc.getName())
                    .description("Collections by this collector since the JVM started")
                    .register(registry);
            FunctionCounter.builder("jvm.gc.collection.seconds", gc, b -> b.getCollectionTime() / 1000.0)
                    .tag("gc", gc.getName())
                    .description("Time this collector spent collecting (pauses, for Serial) since the JVM started")
                    .register(registry);
        }
    }

    /** Gauges read from the running parts when scraped. */
    public void gauges(
            ThrongServer server,
            ToDoubleFunction<App> connections,
            ToDoubleFunction<App> subscriptions,
            ToDoubleFunction<App> channels) {
        for (App app : apps.all()) {
            Gauge.builder("throng_connections", app, connections)
                    .tag("app", app.id())
                    .description("Open Pusher connections on this node")
                    .register(registry);
            Gauge.builder("throng_subscriptions", app, subscriptions)
                    .tag("app", app.id())
                    .description("Channel subscriptions on this node")
                    .register(registry);
            Gauge.builder("throng_channels", app, channels)
                    .tag("app", app.id())
                    .description("Channels with subscribers on this node")
                    .register(registry);
        }
        engine(server, "throng_engine_open_connections", ServerStats::openConnections, "WebSocket connections open");
        engine(server, "throng_engine_memory_in_flight_bytes", ServerStats::memoryInFlight, "Bytes in flight");
        engine(server, "throng_engine_memory_budget_bytes", ServerStats::memoryBudget, "The memory budget");
        engine(server, "throng_engine_memory_refused", ServerStats::memoryRefused, "Messages refused for memory");
        engine(server, "throng_engine_read_pauses", ServerStats::readPauses, "Times a connection stopped being read");
        engine(
                server,
                "throng_engine_connection_failures",
                ServerStats::connectionFailures,
                "Connections closed by an unexpected failure");
        engine(server, "throng_engine_dead_peers", ServerStats::deadPeers, "Peers closed for silence");
        engine(server, "throng_engine_bytes_in", ServerStats::bytesIn, "Bytes read from WebSocket connections");
        engine(server, "throng_engine_bytes_out", ServerStats::bytesOut, "Bytes written to WebSocket connections");
    }

    private void engine(ThrongServer server, String name, ToDoubleFunction<ServerStats> value, String description) {
        Gauge.builder(name, server, s -> value.applyAsDouble(s.stats()))
                .description(description)
                .register(registry);
    }

    /**
     * The registry every meter goes to: a broker registers its own ({@code throng_broker_*}) here when it starts.
     */
    public MeterRegistry registry() {
        return registry;
    }

    /** {@code throng_broker_degraded}: 1 while the broker cannot reach the cluster's shared state (read when scraped). */
    public void broker(Supplier<String> degradedReason) {
        Gauge.builder("throng_broker_degraded", degradedReason, r -> r.get() == null ? 0 : 1)
                .strongReference(true) // a method reference nobody else holds (gauges keep their object weakly)
                .description("1 while the broker cannot reach the cluster's shared state: this node serves its own "
                        + "connections only")
                .register(registry);
    }

    /**
     * {@code throng_publication_backlog_bytes}: bytes of frames waiting for the event loops to write them (read when
     * scraped), and {@code throng_publication_backlog_limit_bytes}, the limit at which REST publishing answers 429.
     */
    public void backlog(LongSupplier bytes, long limit) {
        Gauge.builder("throng_publication_backlog_bytes", bytes, LongSupplier::getAsLong)
                .strongReference(true) // a method reference nobody else holds (gauges keep their object weakly)
                .description("Bytes of publications waiting for the event loops to write them, once per loop")
                .register(registry);
        Gauge.builder("throng_publication_backlog_limit_bytes", () -> limit)
                .description("The backlog at which REST events and batch_events are answered 429")
                .register(registry);
    }

    /** The webhook sender's counters, read from {@code stats} when scraped. */
    public void webhooks(Supplier<WebhookStats> stats) {
        webhook("queued", "Webhook events accepted", stats, WebhookStats::eventsQueued);
        webhook(
                "waiting",
                "Webhook events accepted and not yet delivered or given up",
                stats,
                WebhookStats::eventsWaiting);
        webhook("suppressed", "Webhook events cancelled by the vacancy delay", stats, WebhookStats::eventsSuppressed);
        webhook(
                "dropped",
                "Webhook events dropped (queue full, failing endpoint's share, unsent at close)",
                stats,
                WebhookStats::eventsDropped);
        webhook("requests_sent", "Webhook HTTP attempts", stats, WebhookStats::requestsSent);
        webhook("requests_retried", "Webhook HTTP attempts that were retries", stats, WebhookStats::requestsRetried);
        webhook("requests_delivered", "Webhook requests answered 2xx", stats, WebhookStats::requestsDelivered);
        webhook("requests_failed", "Webhook requests given up", stats, WebhookStats::requestsFailed);
    }

    private void webhook(
            String name, String description, Supplier<WebhookStats> stats, ToDoubleFunction<WebhookStats> value) {
        // Strongly: the supplier is a method reference nobody else holds, and gauges keep their object weakly (a
        // collection would turn them NaN).
        Gauge.builder("throng_webhook_" + name, stats, s -> value.applyAsDouble(s.get()))
                .strongReference(true)
                .description(description)
                .register(registry);
    }

    public void published(App app) {
        published[apps.indexOf(app)].increment();
    }

    /** One loop wrote a publication's frame ({@code bytes} long) to {@code count} subscribers. */
    public void delivered(App app, int count, int bytes, long publishedNanos) {
        int i = apps.indexOf(app);
        if (count > 0) {
            deliveries[i].increment(count);
            bytesOut[i].increment((double) count * bytes);
        }
        fanoutLatency[i].record(System.nanoTime() - publishedNanos, TimeUnit.NANOSECONDS);
    }

    public void slowConsumer(App app) {
        slowConsumers[apps.indexOf(app)].increment();
    }

    public void rateLimited(App app) {
        rateLimited[apps.indexOf(app)].increment();
    }

    public void clientEvent(App app) {
        clientEvents[apps.indexOf(app)].increment();
    }

    public void authFailed(App app) {
        authFailures[apps.indexOf(app)].increment();
    }

    /** A REST publication request of {@code app} was answered 429 (backlog at its limit). */
    public void restThrottled(App app) {
        restThrottled[apps.indexOf(app)].increment();
    }

    public void refused(PusherError reason) {
        refusals.get(reason).increment();
    }

    public void error(PusherError error) {
        errors.get(error).increment();
    }

    /** The Prometheus text exposition of every metric. */
    public String scrape() {
        return registry.scrape();
    }
}
