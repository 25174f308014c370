package dev.throng.gateway.protocol;

/**
 * The kinds of channel, told apart by the prefix of the name (pusher-js {@code channels/channels.ts}; cache
 * channels: Pusher's cache-channels page). {@link #of} matches from the start of the name, longest prefix first, so
 * {@code private-encrypted-cache-x} is {@link #PRIVATE_ENCRYPTED_CACHE} and {@code foo-private-x} is
 * {@link #PUBLIC} (Soketi's unanchored patterns get that wrong).
 *
 * <p>{@link #of} does not validate the name: {@link ChannelNames#isValid} does.
 */
public enum ChannelType {
    /** No prefix: anyone may subscribe ({@code auth} is {@code ""} and ignored). */
    PUBLIC("", false, false, false, false),
    /** {@code private-}: a signature over {@code socket_id:channel}. */
    PRIVATE("private-", true, false, false, false),
    /** {@code private-encrypted-}: signed as private; the data is end-to-end encrypted and passed through untouched. */
    PRIVATE_ENCRYPTED("private-encrypted-", true, false, false, true),
    /** {@code presence-}: a signature over {@code socket_id:channel:channel_data}; members are tracked. */
    PRESENCE("presence-", true, true, false, false),
    /** {@code cache-}: public, and the last event published is replayed to each new subscriber. */
    CACHE("cache-", false, false, true, false),
    /** {@code private-cache-}: private and cached. */
    PRIVATE_CACHE("private-cache-", true, false, true, false),
    /** {@code private-encrypted-cache-}: encrypted and cached (the ciphertext is cached as it is). */
    PRIVATE_ENCRYPTED_CACHE("private-encrypted-cache-", true, false, true, true),
    /** {@code presence-cache-}: presence and cached. */
    PRESENCE_CACHE("presence-cache-", true, true, true, false),
    /**
     * {@code #server-to-user-{id}}: the channel pusher-js subscribes to after signing in as {@code id}; only that
     * user's connections may subscribe, and no signature is sent (the sign-in was one).
     */
    SERVER_TO_USER("#server-to-user-", false, false, false, false);

    private final String prefix;
    private final boolean requiresSignature;
    private final boolean presence;
    private final boolean cache;
    private final boolean encrypted;

    ChannelType(String prefix, boolean requiresSignature, boolean presence, boolean cache, boolean encrypted) {
        this.prefix = prefix;
        this.requiresSignature = requiresSignature;
        this.presence = presence;
        this.cache = cache;
        this.encrypted = encrypted;
    }

    /** The type of the channel {@code name}. Never null: a name without a known prefix is {@link #PUBLIC}. */
    public static ChannelType of(String name) {
        if (name.isEmpty()) {
            return PUBLIC;
        }
        switch (name.charAt(0)) {
            case 'p':
                if (name.startsWith("private-")) {
                    if (name.startsWith("encrypted-", 8)) {
                        return name.startsWith("cache-", 18) ? PRIVATE_ENCRYPTED_CACHE : PRIVATE_ENCRYPTED;
                    }
                    return name.startsWith("cache-", 8) ? PRIVATE_CACHE : PRIVATE;
                }
                if (name.startsWith("presence-")) {
                    return name.startsWith("cache-", 9) ? PRESENCE_CACHE : PRESENCE;
                }
                return PUBLIC;
            case 'c':
                return name.startsWith("cache-") ? CACHE : PUBLIC;
            case '#':
                return name.startsWith("#server-to-user-") ? SERVER_TO_USER : PUBLIC;
            default:
                return PUBLIC;
        }
    }

    /** The prefix that makes a name this type ({@code ""} for {@link #PUBLIC}). */
    public String prefix() {
        return prefix;
    }

    /** Whether a subscribe must carry a valid {@code auth} signature (private, encrypted and presence kinds). */
    public boolean requiresSignature() {
        return requiresSignature;
    }

    /** Whether the channel tracks members ({@code presence-}, {@code presence-cache-}). */
    public boolean isPresence() {
        return presence;
    }

    /** Whether the last REST event is kept and replayed to new subscribers (the {@code cache-} kinds). */
    public boolean isCache() {
        return cache;
    }

    /**
     * Whether the data is end-to-end encrypted (the {@code private-encrypted-} kinds): passed through byte for byte,
     * never parsed, and never relayed from clients.
     */
    public boolean isEncrypted() {
        return encrypted;
    }

    /**
     * Whether clients may send {@code client-} events on it: private and presence channels and their cache kinds.
     * Not public channels ("client events require authorization"), not encrypted ones (pusher-js refuses to send
     * them, and relaying plaintext on a channel its users believe encrypted would mislead), not server-to-user.
     */
    public boolean allowsClientEvents() {
        return requiresSignature && !encrypted;
    }
}
