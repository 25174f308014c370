package dev.throng.redis;

import io.lettuce.core.RedisURI;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How a gateway node joins a cluster on Redis (docs/cluster.md). Immutable; every value is checked when built, and a
 * bad one names the setting.
 *
 * <pre>
 * RedisClusterSettings settings = RedisClusterSettings.builder("redis://redis.internal:6379/0").build();
 * Gateway.start(serverConfig, gatewayConfig, RedisBroker.connect(settings));
 * </pre>
 *
 * @param uri where Redis is, as Lettuce reads it: {@code redis://[[user]:password@]host[:port][/db]}, {@code rediss://}
 *     for TLS, {@code redis-socket:///path}. Redis 6 or later (the node speaks RESP3). A single Redis (or a
 *     primary with replicas behind a stable address): not Redis Cluster, whose keys the scripts do not spread
 * @param keyPrefix the first part of every key and channel: several Throng clusters can share one Redis database.
 *     "throng"; letters, digits, {@code _ - . :} only
 * @param leaseTtl how long a node's lease lasts unless refreshed: a node that dies (SIGKILL, a lost machine) keeps its
 *     members and counts for at most {@code leaseTtl + leaseRefresh} before a live node reaps them. 30 s: long
 *     enough that a stalled process or a Redis failover does not lose a live node's members, short enough that
 *     presence lists heal within a minute
 * @param leaseRefresh how often a node refreshes its lease and reaps the expired ones, at most a third of the TTL (two
 *     refreshes may fail before the lease lapses). 10 s: one small script per node every 10 s
 * @param quotaSync how often a node reports its connection counts and learns the others', which bounds the error of
 *     cluster-wide connection quotas (docs/cluster.md, "Connection quotas"). 1 s
 * @param commandTimeout how long a Redis command may take before it counts as failed (a presence subscription is then
 *     refused, a REST query answers 503). 2 s: far above a healthy Redis's milliseconds, short enough that a client
 *     waits no longer than pusher-js's own patience
 * @param reconnectMaxDelay the longest wait between two attempts to reconnect to Redis (Lettuce's exponential backoff
 *     from 100 ms, doubling). 5 s: a restarted Redis is back in use within seconds, and a down one is tried 12 times
 *     a minute per node
 */
public record RedisClusterSettings(
        String uri,
        String keyPrefix,
        Duration leaseTtl,
        Duration leaseRefresh,
        Duration quotaSync,
        Duration commandTimeout,
        Duration reconnectMaxDelay) {

    /** Key prefixes: what needs no escaping in a key and cannot be mistaken for a separator of ours. */
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_\\-.:]{1,64}");
    /** A URI's user info (a password, or user and password): masked when printed. */
    private static final Pattern USER_INFO = Pattern.compile("://[^/@]*@");

    public RedisClusterSettings {
        Objects.requireNonNull(uri, "redis uri");
        checkUri(uri);
        check(
                keyPrefix != null && PREFIX.matcher(keyPrefix).matches(),
                "redis keyPrefix must be 1-64 of [A-Za-z0-9_-.:], got " + keyPrefix);
        check(
                positive(leaseTtl) && leaseTtl.toMillis() >= 300,
                "redis leaseTtl must be at least 300 ms, got " + leaseTtl);
        check(
                positive(leaseRefresh) && leaseRefresh.multipliedBy(3).compareTo(leaseTtl) <= 0,
                "redis leaseRefresh must be positive and at most a third of leaseTtl (" + leaseTtl + "), got "
                        + leaseRefresh);
        check(positive(quotaSync), "redis quotaSync must be positive, got " + quotaSync);
        check(positive(commandTimeout), "redis commandTimeout must be positive, got " + commandTimeout);
        check(positive(reconnectMaxDelay), "redis reconnectMaxDelay must be positive, got " + reconnectMaxDelay);
    }

    /**
     * Refuses what Lettuce would not read, and a {@code redis://} or {@code rediss://} URI whose host Lettuce would
     * misread: for an authority {@link URI} cannot parse as host and port ({@code redis://h:63x9}, or a host name
     * with {@code _} and a port, {@code redis://my_redis:6379}) Lettuce takes the whole authority for the host and
     * connects to port 6379, so the mistake would only show as an unreachable host. The refusal shows the URI with its
     * credentials masked.
     */
    private static void checkUri(String uri) {
        String problem = "redis uri must be a Redis URI (redis://[[user]:password@]host[:port][/db], rediss:// for "
                + "TLS, redis-socket:///path), got " + mask(uri);
        RedisURI parsed;
        try {
            parsed = RedisURI.create(uri);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(problem + " (" + mask(String.valueOf(e.getMessage())) + ")", e);
        }
        String scheme = URI.create(uri).getScheme().toLowerCase(Locale.ROOT); // RedisURI read it: it is a URI
        String host = parsed.getHost();
        if ((scheme.equals("redis") || scheme.equals("rediss"))
                && (host == null || host.isEmpty() || host.contains(":") && !host.startsWith("["))) {
            throw new IllegalArgumentException(problem + " (its host and port do not parse: a port that is not a "
                    + "number, or a host name with '_' and a port)");
        }
    }

    private static String mask(String text) {
        return USER_INFO.matcher(text).replaceFirst("://***@");
    }

    /** The defaults for Redis at {@code uri}. */
    public static RedisClusterSettings of(String uri) {
        return builder(uri).build();
    }

    /** A builder with the defaults, for Redis at {@code uri}. */
    public static Builder builder(String uri) {
        return new Builder(uri);
    }

    /** Builds {@link RedisClusterSettings}; each setter takes the value as documented on the record. */
    public static final class Builder {
        private final String uri;
        private String keyPrefix = "throng";
        private Duration leaseTtl = Duration.ofSeconds(30);
        private Duration leaseRefresh = Duration.ofSeconds(10);
        private Duration quotaSync = Duration.ofSeconds(1);
        private Duration commandTimeout = Duration.ofSeconds(2);
        private Duration reconnectMaxDelay = Duration.ofSeconds(5);

        private Builder(String uri) {
            this.uri = uri;
        }

        public Builder keyPrefix(String keyPrefix) {
            this.keyPrefix = keyPrefix;
            return this;
        }

        /** Sets the lease TTL; the refresh becomes a third of it unless set after. */
        public Builder leaseTtl(Duration leaseTtl) {
            this.leaseTtl = leaseTtl;
            this.leaseRefresh = leaseTtl == null ? null : leaseTtl.dividedBy(3);
            return this;
        }

        public Builder leaseRefresh(Duration leaseRefresh) {
            this.leaseRefresh = leaseRefresh;
            return this;
        }

        public Builder quotaSync(Duration quotaSync) {
            this.quotaSync = quotaSync;
            return this;
        }

        public Builder commandTimeout(Duration commandTimeout) {
            this.commandTimeout = commandTimeout;
            return this;
        }

        public Builder reconnectMaxDelay(Duration reconnectMaxDelay) {
            this.reconnectMaxDelay = reconnectMaxDelay;
            return this;
        }

        /** @throws IllegalArgumentException naming the first bad setting */
        public RedisClusterSettings build() {
            return new RedisClusterSettings(
                    uri, keyPrefix, leaseTtl, leaseRefresh, quotaSync, commandTimeout, reconnectMaxDelay);
        }
    }

    /** The URI with its credentials (user info) masked: what logs and printed configurations show. */
    public String maskedUri() {
        return mask(uri);
    }

    /** The longest a dead node's members and counts outlive it: its lease, then a refresh of a live node's. */
    public Duration expiryBound() {
        return leaseTtl.plus(leaseRefresh);
    }

    @Override
    public String toString() {
        return "RedisClusterSettings[uri=" + maskedUri() + ", keyPrefix=" + keyPrefix + ", leaseTtl=" + leaseTtl
                + ", leaseRefresh=" + leaseRefresh + ", quotaSync=" + quotaSync + ", commandTimeout=" + commandTimeout
                + ", reconnectMaxDelay=" + reconnectMaxDelay + "]";
    }

    private static boolean positive(Duration d) {
        return d != null && !d.isNegative() && !d.isZero();
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
