package dev.throng.doctor;

import java.util.Locale;

/** What the box does with the connections it is checked for. */
public enum Role {
    /** Accepts the connections ({@code throng serve}): one socket per connection on this box. */
    SERVER,
    /** Opens the connections ({@code throng bench}): one socket per connection, each needing a local port. */
    CLIENT,
    /** Both ends on this box (a loopback bench): two sockets per connection, and the client's ports. */
    BOTH;

    /** Whether a listening socket on this box accepts the connections. */
    public boolean accepts() {
        return this != CLIENT;
    }

    /** Whether this box opens the connections, so each one takes a local (ephemeral) port. */
    public boolean connects() {
        return this != SERVER;
    }

    /** Sockets this box holds per connection: both ends when it is client and server at once. */
    public int socketsPerConnection() {
        return this == BOTH ? 2 : 1;
    }

    /** The spelling used on the command line and in reports: {@code server}, {@code client}, {@code both}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@link #label()}, ignoring case; throws {@link IllegalArgumentException} naming the choices. */
    public static Role parse(String text) {
        for (Role role : values()) {
            if (role.label().equalsIgnoreCase(text.trim())) {
                return role;
            }
        }
        throw new IllegalArgumentException("expected server, client or both, got '" + text + "'");
    }
}
