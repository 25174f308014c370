package dev.throng.gateway.webhook;

import java.time.Duration;

/**
 * How {@link Webhooks} batches, delays, retries and bounds what it sends. The first four are the gateway's settings
 * ({@code GatewayConfig.webhookSettings()} makes them with {@link #of}); the others are fixed by default and settable
 * for tests and tuning. Immutable; each value is checked when made, naming the setting.
 *
 * <pre>
 * WebhookSettings settings = gatewayConfig.webhookSettings();                         // production
 * WebhookSettings quick = WebhookSettings.builder().vacancyDelay(Duration.ofMillis(200)).build();   // a test
 * </pre>
 *
 * @param batchWindow how long an endpoint's events wait to share one request. 250 ms ({@code GatewayConfig})
 * @param vacancyDelay how long {@code channel_vacated} and {@code member_removed} wait for a matching
 *     occupied / added that cancels both. 3 s, Pusher's ({@code GatewayConfig})
 * @param retryFor how long a failing request is retried. 5 min, Pusher's ({@code GatewayConfig})
 * @param queueSize events waiting at most, across apps; more are dropped and counted. 10,000 ({@code GatewayConfig})
 * @param maxEventsPerRequest events one request carries at most. 100: a burst of joins still goes out in a few
 *     requests, and one body stays small (about 10 KB of channel events; client events carry their data, at most
 *     10 KB each by the app's limits, so at most about 1 MB)
 * @param connectTimeout how long connecting to an endpoint may take; then the attempt fails and is retried. 5 s: a
 *     reachable receiver connects in well under a second, and an unreachable one must fail on our retry schedule,
 *     not after the kernel's SYN retries (about 2 min)
 * @param requestTimeout how long one attempt may take from sending to the response's status; then it fails and is
 *     retried. 10 s, as GitHub's webhooks: a receiver is expected to answer at once and do its work afterwards
 * @param firstRetryDelay the wait after a request's first failure; doubled after each further failure. 1 s
 * @param maxRetryDelay the longest wait between two attempts. 60 s: over Pusher's 5 minutes that is about ten
 *     attempts (1, 2, 4, 8, 16, 32, 60, 60, 60, 60 s), and a receiver that comes back is tried again within a minute
 * @param closeTimeout how long {@link Webhooks#close()} tries to send what is left. 5 s: a few seconds of a
 *     shutdown, within systemd's default 90 s stop timeout with plenty to spare
 */
public record WebhookSettings(
        Duration batchWindow,
        Duration vacancyDelay,
        Duration retryFor,
        int queueSize,
        int maxEventsPerRequest,
        Duration connectTimeout,
        Duration requestTimeout,
        Duration firstRetryDelay,
        Duration maxRetryDelay,
        Duration closeTimeout) {

    /** The defaults above; {@code GatewayConfig.DEFAULTS} has the same first four (WebhookSettingsTest holds them). */
    public static final WebhookSettings DEFAULTS =
            of(Duration.ofMillis(250), Duration.ofSeconds(3), Duration.ofMinutes(5), 10_000);

    public WebhookSettings {
        notNegative(batchWindow, "batchWindow");
        notNegative(vacancyDelay, "vacancyDelay");
        notNegative(retryFor, "retryFor");
        check(queueSize >= 1, "webhooks.queueSize must be at least 1, got " + queueSize);
        check(maxEventsPerRequest >= 1, "webhooks.maxEventsPerRequest must be at least 1, got " + maxEventsPerRequest);
        positive(connectTimeout, "connectTimeout");
        positive(requestTimeout, "requestTimeout");
        positive(firstRetryDelay, "firstRetryDelay");
        positive(maxRetryDelay, "maxRetryDelay");
        check(
                maxRetryDelay.compareTo(firstRetryDelay) >= 0,
                "webhooks.maxRetryDelay (" + maxRetryDelay + ") must be at least firstRetryDelay (" + firstRetryDelay
                        + ")");
        notNegative(closeTimeout, "closeTimeout");
    }

    /** The gateway's four webhook settings (batch window, vacancy delay, retry period, queue size), the rest fixed. */
    public static WebhookSettings of(Duration batchWindow, Duration vacancyDelay, Duration retryFor, int queueSize) {
        return new WebhookSettings(
                batchWindow,
                vacancyDelay,
                retryFor,
                queueSize,
                100,
                Duration.ofSeconds(5),
                Duration.ofSeconds(10),
                Duration.ofSeconds(1),
                Duration.ofSeconds(60),
                Duration.ofSeconds(5));
    }

    /** A builder starting from {@link #DEFAULTS}. */
    public static Builder builder() {
        return DEFAULTS.toBuilder();
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Sets any of the settings; {@link #build()} checks them all. */
    public static final class Builder {
        private Duration batchWindow;
        private Duration vacancyDelay;
        private Duration retryFor;
        private int queueSize;
        private int maxEventsPerRequest;
        private Duration connectTimeout;
        private Duration requestTimeout;
        private Duration firstRetryDelay;
        private Duration maxRetryDelay;
        private Duration closeTimeout;

        private Builder(WebhookSettings from) {
            batchWindow = from.batchWindow;
            vacancyDelay = from.vacancyDelay;
            retryFor = from.retryFor;
            queueSize = from.queueSize;
            maxEventsPerRequest = from.maxEventsPerRequest;
            connectTimeout = from.connectTimeout;
            requestTimeout = from.requestTimeout;
            firstRetryDelay = from.firstRetryDelay;
            maxRetryDelay = from.maxRetryDelay;
            closeTimeout = from.closeTimeout;
        }

        public Builder batchWindow(Duration value) {
            batchWindow = value;
            return this;
        }

        public Builder vacancyDelay(Duration value) {
            vacancyDelay = value;
            return this;
        }

        public Builder retryFor(Duration value) {
            retryFor = value;
            return this;
        }

        public Builder queueSize(int value) {
            queueSize = value;
            return this;
        }

        public Builder maxEventsPerRequest(int value) {
            maxEventsPerRequest = value;
            return this;
        }

        public Builder connectTimeout(Duration value) {
            connectTimeout = value;
            return this;
        }

        public Builder requestTimeout(Duration value) {
            requestTimeout = value;
            return this;
        }

        public Builder firstRetryDelay(Duration value) {
            firstRetryDelay = value;
            return this;
        }

        public Builder maxRetryDelay(Duration value) {
            maxRetryDelay = value;
            return this;
        }

        public Builder closeTimeout(Duration value) {
            closeTimeout = value;
            return this;
        }

        /** @throws IllegalArgumentException naming the first bad setting */
        public WebhookSettings build() {
            return new WebhookSettings(
                    batchWindow,
                    vacancyDelay,
                    retryFor,
                    queueSize,
                    maxEventsPerRequest,
                    connectTimeout,
                    requestTimeout,
                    firstRetryDelay,
                    maxRetryDelay,
                    closeTimeout);
        }
    }

    private static void notNegative(Duration value, String name) {
        check(value != null && !value.isNegative(), "webhooks." + name + " must not be negative, got " + value);
    }

    private static void positive(Duration value, String name) {
        check(
                value != null && !value.isNegative() && !value.isZero(),
                "webhooks." + name + " must be positive, got " + value);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
