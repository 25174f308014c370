package dev.throng.gateway;

import dev.throng.gateway.app.App;
import dev.throng.gateway.webhook.WebhookSettings;
import java.time.Duration;
import java.util.List;

/**
 * Everything the Pusher gateway is configured with beyond the engine's {@link dev.throng.core.ServerConfig}: its
 * apps and the behaviour shared by all of them. Immutable; each value is checked when made, naming the setting.
 *
 * @param apps the apps this server serves; {@link App#development()} when none is configured
 * @param activityTimeout what {@code pusher:connection_established} tells clients: pusher-js sends {@code pusher:ping}
 *     after this long without receiving anything. 120 s, Pusher's (pusher-js waits at most its own 120 s anyway);
 *     set it below the idle timeout of any proxy in front
 * @param requestTimestampWindow how far a REST request's {@code auth_timestamp} may be from the server's clock.
 *     600 s, Pusher's: a captured request cannot be replayed later than that
 * @param maxRequestBodyBytes the largest REST request body; larger: 413. 256 KiB: a full batch of 10 events of 10 KB
 *     each, escaped, with room to spare
 * @param cacheTtl how long a cache channel keeps its last event. 30 min, what Pusher documents ("up to 30 minutes")
 * @param webhookBatchWindow how long webhook events wait to share one request (per app and endpoint). 250 ms: a burst
 *     of joins becomes one request, and no event waits noticeably
 * @param webhookVacancyDelay how long {@code channel_vacated} and {@code member_removed} wait, cancelled when the
 *     channel is occupied again or the user rejoins. 3 s, Pusher's: a page reload sends no webhooks
 * @param webhookRetryFor how long a failing webhook is retried, with exponential backoff. 5 min, Pusher's
 * @param webhookQueueSize webhook events waiting at most; more are dropped and counted. 10,000
 * @param maxPendingPublicationBytes the publications waiting for the event loops to write them, in bytes of their
 *     frames (each counted once per loop it waits on), across the process and all apps; while this much or more
 *     waits, REST {@code events} and {@code batch_events} are answered 429 with {@code Retry-After} (issue #17 item
 *     7). 4 MiB: the frames are direct memory outside the engine's {@code limits.memoryBudget}, and
 *     {@code throng serve} gives the JVM 16 MiB of direct memory beyond the budget for everything else; and 4 MiB is
 *     ~400 full-size or ~20,000 small events waiting, which for a channel of thousands of subscribers is seconds of
 *     writing already (an estimate, not a measurement), so accepting more would only add latency. Process-wide, not
 *     per app: the loops and the memory are shared by every app
 * @param writeDelay how long an event loop lets publications gather before it writes them, so that each subscriber
 *     gets several in one write (Centrifugo's {@code write_delay} does the same). 0, the default: a loop writes a
 *     publication as soon as it gets to it, and at a high rate publications that arrived while it was busy share a
 *     write anyway; a real-time gateway adds no latency on purpose. Worth setting where per-channel rates are low and
 *     the channels large, e.g. a channel of 100,000 subscribers at 12 events/s: each event is otherwise one system
 *     call per subscriber (docs/benchmarks.md section 29). At most 1 s
 */
public record GatewayConfig(
        List<App> apps,
        Duration activityTimeout,
        Duration requestTimestampWindow,
        int maxRequestBodyBytes,
        Duration cacheTtl,
        Duration webhookBatchWindow,
        Duration webhookVacancyDelay,
        Duration webhookRetryFor,
        int webhookQueueSize,
        int maxPendingPublicationBytes,
        Duration writeDelay) {

    /** Default {@link #maxPendingPublicationBytes}: 4 MiB (the reason is in the record's javadoc). */
    public static final int MAX_PENDING_PUBLICATION_BYTES = 4 << 20;

    /** The defaults, with the development app. */
    public static final GatewayConfig DEFAULTS = new GatewayConfig(
            List.of(App.development()),
            Duration.ofSeconds(120),
            Duration.ofSeconds(600),
            256 * 1024,
            Duration.ofMinutes(30),
            Duration.ofMillis(250),
            Duration.ofSeconds(3),
            Duration.ofMinutes(5),
            10_000,
            MAX_PENDING_PUBLICATION_BYTES,
            Duration.ZERO);

    /** As the canonical constructor, with the default {@link #maxPendingPublicationBytes} and {@link #writeDelay}. */
    public GatewayConfig(
            List<App> apps,
            Duration activityTimeout,
            Duration requestTimestampWindow,
            int maxRequestBodyBytes,
            Duration cacheTtl,
            Duration webhookBatchWindow,
            Duration webhookVacancyDelay,
            Duration webhookRetryFor,
            int webhookQueueSize) {
        this(
                apps,
                activityTimeout,
                requestTimestampWindow,
                maxRequestBodyBytes,
                cacheTtl,
                webhookBatchWindow,
                webhookVacancyDelay,
                webhookRetryFor,
                webhookQueueSize,
                MAX_PENDING_PUBLICATION_BYTES,
                Duration.ZERO);
    }

    public GatewayConfig {
        apps = apps == null || apps.isEmpty() ? List.of(App.development()) : List.copyOf(apps);
        check(
                activityTimeout != null && activityTimeout.toSeconds() >= 1,
                "activityTimeout must be at least 1 s (pusher-js refuses 0), got " + activityTimeout);
        check(
                requestTimestampWindow != null
                        && !requestTimestampWindow.isNegative()
                        && !requestTimestampWindow.isZero(),
                "requestTimestampWindow must be positive, got " + requestTimestampWindow);
        check(maxRequestBodyBytes >= 1024, "maxRequestBodyBytes must be at least 1024, got " + maxRequestBodyBytes);
        check(
                cacheTtl != null && !cacheTtl.isNegative() && !cacheTtl.isZero(),
                "cacheTtl must be positive, got " + cacheTtl);
        check(
                webhookBatchWindow != null && !webhookBatchWindow.isNegative(),
                "webhookBatchWindow must not be negative, got " + webhookBatchWindow);
        check(
                webhookVacancyDelay != null && !webhookVacancyDelay.isNegative(),
                "webhookVacancyDelay must not be negative, got " + webhookVacancyDelay);
        check(
                webhookRetryFor != null && !webhookRetryFor.isNegative(),
                "webhookRetryFor must not be negative, got " + webhookRetryFor);
        check(webhookQueueSize >= 1, "webhookQueueSize must be at least 1, got " + webhookQueueSize);
        check(
                maxPendingPublicationBytes >= 64 * 1024,
                "maxPendingPublicationBytes must be at least 64k (a few " + "full-size events), got "
                        + maxPendingPublicationBytes);
        check(
                writeDelay != null && !writeDelay.isNegative() && writeDelay.compareTo(Duration.ofSeconds(1)) <= 0,
                "writeDelay must be 0-1s, got " + writeDelay);
    }

    /** The webhook settings of {@link #webhookBatchWindow} and the three after it, the rest fixed. */
    public WebhookSettings webhookSettings() {
        return WebhookSettings.of(webhookBatchWindow, webhookVacancyDelay, webhookRetryFor, webhookQueueSize);
    }

    /** The same configuration with {@code apps}. */
    public GatewayConfig withApps(List<App> apps) {
        return with(apps, maxPendingPublicationBytes, writeDelay);
    }

    /** The same configuration with {@code maxPendingPublicationBytes}. */
    public GatewayConfig withMaxPendingPublicationBytes(int maxPendingPublicationBytes) {
        return with(apps, maxPendingPublicationBytes, writeDelay);
    }

    /** The same configuration with {@code writeDelay}. */
    public GatewayConfig withWriteDelay(Duration writeDelay) {
        return with(apps, maxPendingPublicationBytes, writeDelay);
    }

    private GatewayConfig with(List<App> apps, int maxPendingPublicationBytes, Duration writeDelay) {
        return new GatewayConfig(
                apps,
                activityTimeout,
                requestTimestampWindow,
                maxRequestBodyBytes,
                cacheTtl,
                webhookBatchWindow,
                webhookVacancyDelay,
                webhookRetryFor,
                webhookQueueSize,
                maxPendingPublicationBytes,
                writeDelay);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
