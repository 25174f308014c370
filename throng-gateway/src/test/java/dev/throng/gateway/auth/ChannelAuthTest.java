package dev.throng.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.throng.gateway.protocol.ErrorReply;
import dev.throng.gateway.protocol.PusherError;
import org.junit.jupiter.api.Test;

/** The published examples of Pusher's auth-signatures page (the spec's T1, T2, T2b), then what must be refused. */
class ChannelAuthTest {
    private static final String KEY = "278d425bdf160c739803";
    private static final String SECRET = "7ad3773142a6692b25b8";
    private static final String SOCKET = "1234.1234";
    private static final String PRIVATE_SIGNATURE = "58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4";
    private static final String MR_PUSHER = "{\"user_id\":10,\"user_info\":{\"name\":\"Mr. Pusher\"}}";
    private static final String MR_CHANNELS = "{\"user_id\":10,\"user_info\":{\"name\":\"Mr. Channels\"}}";

    private final ChannelAuth auth = new ChannelAuth(KEY, new Hmac(SECRET));

    @Test
    void signsPushersPublishedPrivateChannelExample() {
        assertThat(auth.sign(SOCKET, "private-foobar", null)).isEqualTo(KEY + ":" + PRIVATE_SIGNATURE);
    }

    @Test
    void verifiesPushersPublishedPrivateChannelExample() {
        assertThat(auth.verify(SOCKET, "private-foobar", KEY + ":" + PRIVATE_SIGNATURE, null))
                .isNull();
    }

    @Test
    void signsPushersPublishedPresenceChannelExampleWhichIsMrPushers() {
        // T2: the published signature is that of "Mr. Pusher", although the page's JSON says "Mr. Channels".
        assertThat(auth.sign(SOCKET, "presence-foobar", MR_PUSHER))
                .isEqualTo(KEY + ":afaed3695da2ffd16931f457e338e6c9f2921fa133ce7dac49f529792be6304c");
    }

    @Test
    void signsThePresenceExampleAsItsPageShowsTheJsonWithMrChannels() {
        // T2b: computed, not published.
        assertThat(auth.sign(SOCKET, "presence-foobar", MR_CHANNELS))
                .isEqualTo(KEY + ":31935e7d86dba64c2a90aed31fdc61869f9b22ba9d8863bba239c03ca481bc80");
    }

    @Test
    void verifiesPushersPublishedPresenceChannelExample() {
        assertThat(auth.verify(
                        SOCKET,
                        "presence-foobar",
                        KEY + ":afaed3695da2ffd16931f457e338e6c9f2921fa133ce7dac49f529792be6304c",
                        MR_PUSHER))
                .isNull();
    }

    @Test
    void refusesThePublishedPresenceSignatureForThePagesMrChannelsJson() {
        ErrorReply refused = auth.verify(
                SOCKET,
                "presence-foobar",
                KEY + ":afaed3695da2ffd16931f457e338e6c9f2921fa133ce7dac49f529792be6304c",
                MR_CHANNELS);

        assertThat(refused.error()).isEqualTo(PusherError.INVALID_SIGNATURE);
    }

    @Test
    void refusesOneChannelsSignatureForAnotherWithPushersMessage() {
        ErrorReply refused = auth.verify(SOCKET, "private-other", KEY + ":" + PRIVATE_SIGNATURE, null);

        assertThat(refused.error()).isEqualTo(PusherError.INVALID_SIGNATURE);
        assertThat(refused.message())
                .isEqualTo("Invalid signature: Expected HMAC SHA256 hex digest of "
                        + "1234.1234:private-other, but got " + PRIVATE_SIGNATURE);
        assertThat(refused.frame()).startsWith("{\"event\":\"pusher:error\",\"data\":{\"code\":null,");
    }

    @Test
    void refusesAnotherSocketsSignature() {
        assertThat(auth.verify("1234.1235", "private-foobar", KEY + ":" + PRIVATE_SIGNATURE, null)
                        .error())
                .isEqualTo(PusherError.INVALID_SIGNATURE);
    }

    @Test
    void namesTheChannelDataInTheStringToSignOfAPresenceRefusal() {
        ErrorReply refused = auth.verify(SOCKET, "presence-foobar", KEY + ":00", "{\"user_id\":1265}");

        assertThat(refused.message())
                .isEqualTo("Invalid signature: Expected HMAC SHA256 hex digest of "
                        + "1234.1234:presence-foobar:{\"user_id\":1265}, but got 00");
    }

    @Test
    void refusesAnotherAppsKeyWithPushersMessage() {
        ErrorReply refused = auth.verify(SOCKET, "private-foobar", "otherkey:" + PRIVATE_SIGNATURE, null);

        assertThat(refused.error()).isEqualTo(PusherError.INVALID_KEY);
        assertThat(refused.message())
                .isEqualTo("Invalid key in subscription auth data: 'otherkey:" + PRIVATE_SIGNATURE + "'");
    }

    @Test
    void refusesAKeyThatOnlyStartsLikeTheAppsKey() {
        assertThat(auth.verify(SOCKET, "private-foobar", KEY + "x:" + PRIVATE_SIGNATURE, null)
                        .error())
                .isEqualTo(PusherError.INVALID_KEY);
        assertThat(auth.verify(SOCKET, "private-foobar", KEY.substring(1) + ":" + PRIVATE_SIGNATURE, null)
                        .error())
                .isEqualTo(PusherError.INVALID_KEY);
    }

    @Test
    void refusesAnAuthWithoutAKey() {
        assertThat(auth.verify(SOCKET, "private-foobar", PRIVATE_SIGNATURE, null)
                        .error())
                .isEqualTo(PusherError.INVALID_KEY);
        assertThat(auth.verify(SOCKET, "private-foobar", "", null).message())
                .isEqualTo("Invalid key in subscription auth data: ''");
        assertThat(auth.verify(SOCKET, "private-foobar", null, null).error()).isEqualTo(PusherError.INVALID_KEY);
    }

    @Test
    void refusesAnUpperCaseSignature() {
        assertThat(auth.verify(SOCKET, "private-foobar", KEY + ":" + PRIVATE_SIGNATURE.toUpperCase(), null))
                .isNotNull();
    }

    @Test
    void signsChannelDataOnAPrivateChannelWhenTheSubscribeCarriesIt() {
        // The PHP SDK's authorizeChannel(channel, socket_id, custom_data) signs it; pusher-js forwards it.
        String custom = "{\"role\":\"admin\"}";
        String signed = auth.sign(SOCKET, "private-foobar", custom);

        assertThat(auth.verify(SOCKET, "private-foobar", signed, custom)).isNull();
        assertThat(auth.verify(SOCKET, "private-foobar", signed, null)).isNotNull();
        assertThat(auth.verify(SOCKET, "private-foobar", KEY + ":" + PRIVATE_SIGNATURE, custom))
                .isNotNull();
    }

    @Test
    void refusesChannelDataChangedByOneSpace() {
        String signed = auth.sign(SOCKET, "presence-foobar", MR_PUSHER);

        assertThat(auth.verify(SOCKET, "presence-foobar", signed, MR_PUSHER.replace(":10,", ": 10,"))
                        .error())
                .isEqualTo(PusherError.INVALID_SIGNATURE);
    }

    @Test
    void neverNamesTheSecret() {
        assertThat(auth.verify(SOCKET, "private-foobar", KEY + ":bad", null).frame())
                .doesNotContain(SECRET);
        assertThat(auth.verify(SOCKET, "presence-foobar", KEY + ":bad", MR_PUSHER)
                        .frame())
                .doesNotContain(SECRET);
    }
}
