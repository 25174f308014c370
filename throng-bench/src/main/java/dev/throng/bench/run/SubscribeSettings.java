package dev.throng.bench.run;

import dev.throng.bench.pusher.ChannelPlan;
import dev.throng.bench.pusher.EventData;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The subscribe scenario's settings (part of {@link BenchSettings}), validated when made. The defaults and their
 * reasons are those of {@code throng bench}'s options (throng-cli's {@code BenchCommand}, and docs/bench.md).
 *
 * @param plan {@code --channels} C and {@code --subscriptions-per-client} K
 * @param channelPrefix channel names are this plus the index: {@code bench-0}, {@code bench-1}, …
 * @param eventName the name of the published events
 * @param eventSize {@code --event-size}: bytes of each event's {@code data} string ({@link EventData})
 * @param appId {@code --app-id}: the path of the HTTP API, {@code /apps/{id}/events}
 * @param key {@code --key}: the app key (the WebSocket path {@code /app/{key}} and {@code auth_key})
 * @param secret {@code --secret}: signs the HTTP API requests
 * @param apiUrl {@code --api-url}: the HTTP API's base ({@code http://host:port}); null: the first {@code --url}'s
 *     host and port
 * @param steps publish rates, in events per second <em>per channel</em>, one step each; empty: subscribe and hold only
 *     (for {@code --hold}), as for idle memory
 * @param stepDuration how long each step publishes
 * @param stepGap how long after a step's last response the bench waits before counting what arrived (deliveries
 *     later than that count as missing for the step; they still count as received at the end)
 * @param warmup before the first step, publish at its rate for this long, unjudged (the server's JIT, the
 *     publisher's connections, the first-time paths); its events are counted apart; zero: none
 * @param stopOnFail stop stepping after the first step that fails (loss, p99 at or above {@code maxP99}, the rate not
 *     kept, or failed requests)
 * @param maxP99 a step passes only with its p99 publish-to-receive latency below this
 * @param publishConnections kept-alive HTTP/1.1 connections the publisher pipelines its requests on
 * @param publishConcurrency HTTP requests in flight at most, over those connections (each takes its share: a channel
 *     group's requests stay on one connection, to keep their order)
 * @param requestTimeout one HTTP request's budget; one that takes longer counts as failed ({@code timeout})
 * @param publishAfter how long the subscribers are held, once every subscription is acknowledged, before the warm-up
 *     or the first step (a held population receiving its first event, as in the cluster benchmark's million);
 *     zero: publish at once
 * @param brokerPids processes the server relies on (a Redis), whose CPU each step reports apart from the server's
 */
public record SubscribeSettings(
        ChannelPlan plan,
        String channelPrefix,
        String eventName,
        int eventSize,
        String appId,
        String key,
        String secret,
        URI apiUrl,
        List<Double> steps,
        Duration stepDuration,
        Duration stepGap,
        Duration warmup,
        boolean stopOnFail,
        Duration maxP99,
        int publishConnections,
        int publishConcurrency,
        Duration requestTimeout,
        Duration publishAfter,
        List<Long> brokerPids) {

    /** Pusher's limit on an event's data (docs/pusher-spec §7.1); Throng's default too. */
    public static final int MAX_EVENT_SIZE = 10 * 1024;
    /** Pusher's limit on channels per trigger: the publisher triggers groups of at most this many. */
    public static final int MAX_CHANNELS_PER_TRIGGER = 100;

    public SubscribeSettings {
        Objects.requireNonNull(plan, "plan");
        steps = List.copyOf(steps);
        brokerPids = List.copyOf(brokerPids);
        check(
                channelPrefix != null && channelPrefix.matches("[A-Za-z0-9_\\-=@,.;]+"),
                "the channel prefix must be a valid channel name, got " + channelPrefix);
        check(
                eventName != null
                        && !eventName.isEmpty()
                        && !eventName.contains("\"")
                        && !eventName.contains("\\")
                        && !eventName.startsWith("pusher"),
                "the event name must be non-empty, unquoted, not pusher*: " + eventName);
        check(
                eventSize >= EventData.MIN_SIZE && eventSize <= MAX_EVENT_SIZE,
                "--event-size must be "
                        + EventData.MIN_SIZE + "-" + MAX_EVENT_SIZE
                        + " bytes (room for the stamps; Pusher's 10 KB limit), got "
                        + eventSize);
        check(appId != null && appId.matches("[A-Za-z0-9_\\-.]+"), "--app-id must be a plain id, got " + appId);
        check(key != null && key.matches("[A-Za-z0-9_\\-.]+"), "--key must be a plain key, got " + key);
        check(secret != null && !secret.isEmpty(), "--secret must not be empty");
        check(
                apiUrl == null || "http".equals(apiUrl.getScheme()) && apiUrl.getHost() != null,
                "--api-url must be http://host:port, got " + apiUrl);
        for (double r : steps) {
            check(
                    r > 0 && r <= 100_000,
                    "publish rates must be above 0 and at most 100,000 events/s per channel, " + "got " + r);
        }
        check(stepDuration.toMillis() >= 1000, "--step-duration must be at least 1s");
        check(!stepGap.isNegative(), "--step-gap must not be negative");
        check(!warmup.isNegative(), "--publish-warmup must not be negative");
        check(maxP99.toMillis() > 0, "--max-p99 must be positive");
        check(
                publishConnections >= 1 && publishConnections <= 64,
                "--publish-connections must be 1-64, got " + publishConnections);
        check(
                publishConcurrency >= publishConnections && publishConcurrency <= 4096,
                "--publish-concurrency must be " + "--publish-connections-4096, got " + publishConcurrency);
        check(requestTimeout.toMillis() > 0, "--request-timeout must be positive");
        check(!publishAfter.isNegative(), "--publish-after must not be negative");
    }

    /** Whether a warm-up runs before the first step. */
    public boolean hasWarmup() {
        return !warmup.isZero() && !steps.isEmpty();
    }

    /**
     * The step numbers events can carry: one per step, then the warm-up's ({@code steps.size()}) when there is one.
     */
    public int stepSlots() {
        return steps.size() + (hasWarmup() ? 1 : 0);
    }

    /** Channels per trigger request: the channels split into equal groups of at most 100. */
    public int groupSize() {
        int groups = groups();
        return (plan.channels() + groups - 1) / groups;
    }

    /** Trigger requests that publish one event on every channel. */
    public int groups() {
        return (plan.channels() + MAX_CHANNELS_PER_TRIGGER - 1) / MAX_CHANNELS_PER_TRIGGER;
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** The defaults: one channel, one subscription each, 256-byte events, the development app, no steps. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link SubscribeSettings}. */
    public static final class Builder {
        private int channels = 1;
        private int perClient = 1;
        private String channelPrefix = "bench-";
        private String eventName = "bench";
        private int eventSize = 256;
        private String appId = "app-id";
        private String key = "app-key";
        private String secret = "app-secret";
        private URI apiUrl;
        private List<Double> steps = List.of();
        private Duration stepDuration = Duration.ofSeconds(10);
        private Duration stepGap = Duration.ofSeconds(2);
        private Duration warmup = Duration.ofSeconds(3);
        private boolean stopOnFail = true;
        private Duration maxP99 = Duration.ofSeconds(1);
        private int publishConnections = 4;
        private int publishConcurrency = 64;
        private Duration requestTimeout = Duration.ofSeconds(10);
        private Duration publishAfter = Duration.ZERO;
        private List<Long> brokerPids = List.of();

        private Builder() {}

        public Builder channels(int v) {
            channels = v;
            return this;
        }

        public Builder subscriptionsPerClient(int v) {
            perClient = v;
            return this;
        }

        public Builder channelPrefix(String v) {
            channelPrefix = v;
            return this;
        }

        public Builder eventName(String v) {
            eventName = v;
            return this;
        }

        public Builder eventSize(int v) {
            eventSize = v;
            return this;
        }

        public Builder appId(String v) {
            appId = v;
            return this;
        }

        public Builder key(String v) {
            key = v;
            return this;
        }

        public Builder secret(String v) {
            secret = v;
            return this;
        }

        public Builder apiUrl(URI v) {
            apiUrl = v;
            return this;
        }

        public Builder steps(List<Double> v) {
            steps = v;
            return this;
        }

        public Builder stepDuration(Duration v) {
            stepDuration = v;
            return this;
        }

        public Builder stepGap(Duration v) {
            stepGap = v;
            return this;
        }

        public Builder warmup(Duration v) {
            warmup = v;
            return this;
        }

        public Builder stopOnFail(boolean v) {
            stopOnFail = v;
            return this;
        }

        public Builder maxP99(Duration v) {
            maxP99 = v;
            return this;
        }

        public Builder publishConnections(int v) {
            publishConnections = v;
            return this;
        }

        public Builder publishConcurrency(int v) {
            publishConcurrency = v;
            return this;
        }

        public Builder requestTimeout(Duration v) {
            requestTimeout = v;
            return this;
        }

        public Builder publishAfter(Duration v) {
            publishAfter = v;
            return this;
        }

        public Builder brokerPids(List<Long> v) {
            brokerPids = v;
            return this;
        }

        public SubscribeSettings build() {
            return new SubscribeSettings(
                    new ChannelPlan(channels, perClient),
                    channelPrefix,
                    eventName,
                    eventSize,
                    appId,
                    key,
                    secret,
                    apiUrl,
                    steps,
                    stepDuration,
                    stepGap,
                    warmup,
                    stopOnFail,
                    maxP99,
                    publishConnections,
                    publishConcurrency,
                    requestTimeout,
                    publishAfter,
                    brokerPids);
        }
    }
}
