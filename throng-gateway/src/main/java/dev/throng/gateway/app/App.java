package dev.throng.gateway.app;

import java.util.List;
import java.util.regex.Pattern;

/**
 * One application, as Pusher calls it: its credentials, switches and limits. Clients connect with its {@code key}
 * ({@code /app/{key}}), servers publish with its {@code id} and sign with its {@code secret}.
 *
 * @param id the app id of REST paths ({@code /apps/{id}/events})
 * @param key the public key clients connect with and REST requests name ({@code auth_key})
 * @param secret the shared secret of every signature (never logged, masked when printed)
 * @param enabled a disabled app refuses connections (pusher:error 4003) and REST calls (403)
 * @param maxConnections connections the app may hold at once; over it pusher:error 4004. 0: no quota
 * @param clientEvents whether clients may send {@code client-} events on private and presence channels (Pusher: off
 *     until enabled in the dashboard)
 * @param limits sizes and rates, Pusher's by default
 * @param webhooks where its webhooks go; empty: none
 */
public record App(
        String id,
        String key,
        String secret,
        boolean enabled,
        int maxConnections,
        boolean clientEvents,
        AppLimits limits,
        List<Webhook> webhooks) {

    /** App ids, keys and secrets: what fits in a URL path and a query without escaping. */
    private static final Pattern CREDENTIAL = Pattern.compile("[A-Za-z0-9_\\-.]{1,128}");

    public App {
        check(id != null && CREDENTIAL.matcher(id).matches(), "apps.id must be 1-128 of [A-Za-z0-9_-.], got " + id);
        check(
                key != null && CREDENTIAL.matcher(key).matches(),
                "apps.key of app " + id + " must be 1-128 of [A-Za-z0-9_-.]");
        check(secret != null && !secret.isEmpty(), "apps.secret of app " + id + " must not be empty");
        check(
                maxConnections >= 0,
                "apps.maxConnections of app " + id + " must be >= 0 (0: no quota), got " + maxConnections);
        limits = limits == null ? AppLimits.PUSHER : limits;
        webhooks = webhooks == null ? List.of() : List.copyOf(webhooks);
    }

    /** An enabled app with Pusher's limits, no quota, no webhooks. */
    public static App of(String id, String key, String secret, boolean clientEvents) {
        return new App(id, key, secret, true, 0, clientEvents, AppLimits.PUSHER, List.of());
    }

    /**
     * The development app {@code throng serve} runs when no app is configured: the same credentials Soketi ships
     * ({@code app-id}, {@code app-key}, {@code app-secret}), client events on, so pusher-js works against a fresh
     * {@code bin/throng serve} out of the box. Its secret is public: the server warns at start while it is in use.
     */
    public static App development() {
        return of("app-id", "app-key", "app-secret", true);
    }

    /** Whether this is {@link #development()}'s app (its well-known secret). */
    public boolean isDevelopment() {
        return "app-secret".equals(secret) && "app-key".equals(key);
    }

    @Override
    public String toString() {
        return "App[id=" + id + ", key=" + key + ", secret=***, enabled=" + enabled + ", maxConnections="
                + maxConnections + ", clientEvents=" + clientEvents + ", limits=" + limits + ", webhooks=" + webhooks
                + "]";
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
