package dev.throng.gateway.auth;
import dev.throng.gateway.app.App;
import javax.crypto.Mac; import javax.crypto.spec.SecretKeySpec; import java.nio.charset.StandardCharsets; import java.util.HexFormat;
// PLACEHOLDER (uncommitted)
public final class ChannelAuth {
    static String hmac(String secret, String m) { try { Mac mac = Mac.getInstance("HmacSHA256"); mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256")); return HexFormat.of().formatHex(mac.doFinal(m.getBytes(StandardCharsets.UTF_8))); } catch (Exception e) { throw new IllegalStateException(e); } }
    public static String sign(App app, String socketId, String channel, String channelData) { return app.key() + ":" + hmac(app.secret(), socketId + ":" + channel + (channelData == null ? "" : ":" + channelData)); }
    public static boolean verify(App app, String socketId, String channel, String channelData, String auth) { return auth != null && auth.equals(sign(app, socketId, channel, channelData)); }
}
