package dev.throng.gateway.app;

import java.net.URI;
import java.util.Set;

/**
 * Where an app's webhooks go (pusher.com/docs/channels/server_api/webhooks).
 *
 * @param url the endpoint, {@code http} or {@code https}
 * @param events the event names sent there ({@code channel_occupied}, {@code channel_vacated}, {@code member_added},
 *     {@code member_removed}, {@code client_event}, {@code cache_miss}); empty: all of them
 */
public record Webhook(URI url, Set<String> events) {
    /** The event names a webhook can carry. */
    public static final Set<String> EVENTS = Set.of(
            "channel_occupied", "channel_vacated", "member_added", "member_removed", "client_event", "cache_miss");

    public Webhook {
        if (url == null || !("http".equals(url.getScheme()) || "https".equals(url.getScheme()))) {
            throw new IllegalArgumentException("webhooks.url must be an http or https URL, got " + url);
        }
        events = events == null ? Set.of() : Set.copyOf(events);
        for (String e : events) {
            if (!EVENTS.contains(e)) {
                throw new IllegalArgumentException(
                        "webhooks.events: unknown event '" + e + "' (known: " + new java.util.TreeSet<>(EVENTS) + ")");
            }
        }
    }

    /** Whether events named {@code name} go to this webhook. */
    public boolean wants(String name) {
        return events.isEmpty() || events.contains(name);
    }
}
