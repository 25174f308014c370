package dev.throng.gateway.auth;
import dev.throng.gateway.app.App;
// PLACEHOLDER (uncommitted)
public final class UserAuth {
    public static String sign(App app, String socketId, String userData) { return app.key() + ":" + ChannelAuth.hmac(app.secret(), socketId + "::user::" + userData); }
    public static boolean verify(App app, String socketId, String userData, String auth) { return auth != null && auth.equals(sign(app, socketId, userData)); }
}
