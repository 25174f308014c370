package dev.throng.gateway.protocol;
// PLACEHOLDER (uncommitted)
public final class ChannelNames {
    public static boolean isValid(String n, int max) {
        if (n == null || n.isEmpty() || n.length() > max) return false;
        String body = n.startsWith("#server-to-user-") ? n.substring(16) : n;
        return !body.isEmpty() && body.matches("[A-Za-z0-9_\\-=@,.;]+");
    }
}
