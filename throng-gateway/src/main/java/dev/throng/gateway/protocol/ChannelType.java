package dev.throng.gateway.protocol;
// PLACEHOLDER (uncommitted)
public enum ChannelType {
    PUBLIC, PRIVATE, PRIVATE_ENCRYPTED, PRESENCE, CACHE, PRIVATE_CACHE, PRIVATE_ENCRYPTED_CACHE, PRESENCE_CACHE, SERVER_TO_USER;
    public static ChannelType of(String n) {
        if (n.startsWith("private-encrypted-cache-")) return PRIVATE_ENCRYPTED_CACHE;
        if (n.startsWith("private-encrypted-")) return PRIVATE_ENCRYPTED;
        if (n.startsWith("private-cache-")) return PRIVATE_CACHE;
        if (n.startsWith("private-")) return PRIVATE;
        if (n.startsWith("presence-cache-")) return PRESENCE_CACHE;
        if (n.startsWith("presence-")) return PRESENCE;
        if (n.startsWith("cache-")) return CACHE;
        if (n.startsWith("#server-to-user-")) return SERVER_TO_USER;
        return PUBLIC;
    }
    public boolean requiresAuth() { return this != PUBLIC && this != CACHE && this != SERVER_TO_USER; }
    public boolean isPresence() { return this == PRESENCE || this == PRESENCE_CACHE; }
    public boolean isCache() { return this == CACHE || this == PRIVATE_CACHE || this == PRIVATE_ENCRYPTED_CACHE || this == PRESENCE_CACHE; }
    public boolean isEncrypted() { return this == PRIVATE_ENCRYPTED || this == PRIVATE_ENCRYPTED_CACHE; }
    public boolean allowsClientEvents() { return this == PRIVATE || this == PRIVATE_CACHE || isPresence(); }
}
