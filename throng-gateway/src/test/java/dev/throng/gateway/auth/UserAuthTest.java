package dev.throng.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.throng.gateway.protocol.ErrorReply;
import dev.throng.gateway.protocol.PusherError;
import org.junit.jupiter.api.Test;

/** Pusher's published user-authentication example (the spec's T3), then what must be refused. */
class UserAuthTest {
    private static final String KEY = "278d425bdf160c739803";
    private static final String SIGNATURE = "4708d583dada6a56435fb8bc611c77c359a31eebde13337c16ab43aa6de336ba";
    private static final String USER_DATA = "{\"id\":\"12345\"}";

    private final UserAuth auth = new UserAuth(KEY, new Hmac("7ad3773142a6692b25b8"));

    @Test
    void signsPushersPublishedUserAuthenticationExample() {
        assertThat(auth.sign("1234.1234", USER_DATA)).isEqualTo(KEY + ":" + SIGNATURE);
    }

    @Test
    void verifiesPushersPublishedUserAuthenticationExample() {
        assertThat(auth.verify("1234.1234", KEY + ":" + SIGNATURE, USER_DATA)).isNull();
    }

    @Test
    void signsSocketIdUserAndUserData() {
        assertThat(UserAuth.stringToSign("1234.1234", USER_DATA)).isEqualTo("1234.1234::user::{\"id\":\"12345\"}");
    }

    @Test
    void refusesAnotherUsersDataWithTheStringItShouldHaveSigned() {
        ErrorReply refused = auth.verify("1234.1234", KEY + ":" + SIGNATURE, "{\"id\":\"12346\"}");

        assertThat(refused.error()).isEqualTo(PusherError.INVALID_SIGNATURE);
        assertThat(refused.message())
                .isEqualTo("Invalid signature: Expected HMAC SHA256 hex digest of "
                        + "1234.1234::user::{\"id\":\"12346\"}, but got " + SIGNATURE);
    }

    @Test
    void refusesAnotherSocketsSignIn() {
        assertThat(auth.verify("1234.1235", KEY + ":" + SIGNATURE, USER_DATA).error())
                .isEqualTo(PusherError.INVALID_SIGNATURE);
    }

    @Test
    void refusesAnotherAppsKeyNamingTheSignIn() {
        ErrorReply refused = auth.verify("1234.1234", "other:" + SIGNATURE, USER_DATA);

        assertThat(refused.error()).isEqualTo(PusherError.INVALID_KEY);
        assertThat(refused.message()).isEqualTo("Invalid key in signin auth data: 'other:" + SIGNATURE + "'");
    }
}
