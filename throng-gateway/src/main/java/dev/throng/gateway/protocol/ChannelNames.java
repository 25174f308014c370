package dev.throng.gateway.protocol;

/**
 * The rules for channel names (Pusher's channels page): 1 to 164 characters (the prefix included) of
 * {@code A-Z a-z 0-9 _ - = @ , . ;}. {@code #} is reserved: the only name that may hold it is
 * {@code #server-to-user-{userId}}, with a user id of those same characters (what pusher-js subscribes to after a
 * sign-in, and what the server SDKs' {@code sendToUser} publishes to).
 */
public final class ChannelNames {
    /** Pusher's documented limit (the SDKs allow 200, Soketi too; the apps' {@code maxChannelNameLength}). */
    public static final int DEFAULT_MAX_LENGTH = 164;

    private static final String SERVER_TO_USER = ChannelType.SERVER_TO_USER.prefix();
    /** The allowed characters, indexed by ASCII code. */
    private static final boolean[] ALLOWED = new boolean[128];

    static {
        for (char c = 'a'; c <= 'z'; c++) {
            ALLOWED[c] = true;
            ALLOWED[Character.toUpperCase(c)] = true;
        }
        for (char c = '0'; c <= '9'; c++) {
            ALLOWED[c] = true;
        }
        for (char c : "_-=@,.;".toCharArray()) {
            ALLOWED[c] = true;
        }
    }

    private ChannelNames() {}

    /** {@link #isValid(String, int)} with Pusher's 164. */
    public static boolean isValid(String name) {
        return isValid(name, DEFAULT_MAX_LENGTH);
    }

    /**
     * Whether {@code name} is a channel name clients may subscribe to and servers may publish to: at most
     * {@code maxLength} characters of the allowed ones, or {@code #server-to-user-} and a non-empty user id of them.
     */
    public static boolean isValid(String name, int maxLength) {
        if (name == null || name.isEmpty() || name.length() > maxLength) {
            return false;
        }
        if (name.charAt(0) == '#') {
            return name.length() > SERVER_TO_USER.length()
                    && name.startsWith(SERVER_TO_USER)
                    && allAllowed(name, SERVER_TO_USER.length());
        }
        return allAllowed(name, 0);
    }

    /**
     * The user id of a valid {@code #server-to-user-{id}} name, or null for any other name.
     */
    public static String serverToUserId(String name) {
        if (name == null
                || name.length() <= SERVER_TO_USER.length()
                || !name.startsWith(SERVER_TO_USER)
                || !allAllowed(name, SERVER_TO_USER.length())) {
            return null;
        }
        return name.substring(SERVER_TO_USER.length());
    }

    /** {@code #server-to-user-{userId}}. */
    public static String serverToUser(String userId) {
        return SERVER_TO_USER + userId;
    }

    private static boolean allAllowed(String name, int from) {
        for (int i = from; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c >= 128 || !ALLOWED[c]) {
                return false;
            }
        }
        return true;
    }
}
