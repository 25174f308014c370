package dev.throng.redis;

import dev.throng.gateway.app.App;

/**
 * The names of Throng's keys and pub/sub channels in Redis (docs/cluster.md, "Keys and channels"); the scripts name
 * the rest the same way ({@code lib.lua}'s {@code key}). An app's are {@code PREFIX:{app}:...}, the app id in braces.
 */
final class RedisKeys {
    final String prefix;

    RedisKeys(String prefix) {
        this.prefix = prefix;
    }

    /** The pub/sub channel of a Pusher channel: what its publications cross Redis on. */
    String channel(App app, String channel) {
        return app(app.id()) + "ch:" + channel;
    }

    /** The pub/sub channel of control messages (user terminations), one for the cluster. */
    String control() {
        return prefix + ":control";
    }

    /** A presence channel's members: user id → record (id JSON, newline, user_info JSON). */
    String members(App app, String channel) {
        return app(app.id()) + "members:" + channel;
    }

    /** The nodes' leases: node id → expiry (ms, Redis's clock). */
    String nodes() {
        return prefix + ":nodes";
    }

    private String app(String appId) {
        return prefix + ":{" + appId + "}:";
    }
}
