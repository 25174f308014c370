package dev.throng.gateway.protocol;

/**
 * The rules for event names. Any characters are allowed: Laravel's event names hold backslashes
 * ({@code App\Events\OrderShipped}) and Laravel Echo binds them so. What is not allowed: an empty name, a name
 * longer than the app's limit (Pusher's and the SDKs': 200 characters), and, from the REST API, the prefixes only
 * Pusher itself sends ({@code pusher:} and {@code pusher_internal:}).
 */
public final class EventNames {
    /** The SDKs' check ({@code event.length > 200} throws) and the apps' {@code maxEventNameLength}. */
    public static final int DEFAULT_MAX_LENGTH = 200;
    /** What a client event's name starts with; clients may send no other events of their own. */
    public static final String CLIENT_PREFIX = "client-";

    private EventNames() {}

    /**
     * Whether the REST API may publish an event named {@code name}: 1 to {@code maxLength} characters (UTF-16 units,
     * as JavaScript's {@code length} counts them), not starting with {@code pusher:} or {@code pusher_internal:}.
     */
    public static boolean isValidForPublish(String name, int maxLength) {
        return name != null && !name.isEmpty() && name.length() <= maxLength && !isReserved(name);
    }

    /** Whether {@code name} starts with a prefix only the server sends ({@code pusher:}, {@code pusher_internal:}). */
    public static boolean isReserved(String name) {
        return name.startsWith("pusher:") || name.startsWith("pusher_internal:");
    }

    /** Whether {@code name} is a client event's ({@code client-...}). */
    public static boolean isClientEvent(String name) {
        return name.startsWith(CLIENT_PREFIX);
    }
}
