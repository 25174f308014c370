package dev.throng.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class HmacTest {
    private static final String SECRET = "7ad3773142a6692b25b8";
    private final Hmac hmac = new Hmac(SECRET);

    @Test
    void signsPushersWebhookExampleBody() {
        // T9: the webhook body of the spec's section 9, signed as X-Pusher-Signature.
        assertThat(hmac.hex("{\"time_ms\":1327078148132,\"events\":[{\"name\":\"channel_occupied\","
                        + "\"channel\":\"test_channel\"}]}"))
                .isEqualTo("709fdb84c03664445f7698120b0edf0acc1ab1c8c6e93a0368c61841d6b998aa");
    }

    @Test
    void signsTheUtf8BytesOfAString() {
        assertThat(hmac.hex("caf\u00e9 \ud83d\ude00"))
                .isEqualTo("a88a69b956d7610191ca0fc5c9021a44b4c7e99184ae2a6c07f8e7f8eec19ba6");
    }

    @Test
    void writes64LowerCaseHexDigits() {
        assertThat(hmac.hex("anything")).hasSize(64).matches("[0-9a-f]{64}");
    }

    @Test
    void verifiesTheExactLowerCaseSignatureOnly() {
        String signature = hmac.hex("1234.1234:private-foobar");

        assertThat(hmac.verify("1234.1234:private-foobar", signature)).isTrue();
        assertThat(hmac.verify("1234.1234:private-foobar", signature.toUpperCase()))
                .isFalse();
        assertThat(hmac.verify("1234.1234:private-foobar", signature.substring(1)))
                .isFalse();
        assertThat(hmac.verify("1234.1234:private-foobar", signature + "0")).isFalse();
        assertThat(hmac.verify("1234.1234:private-foobaR", signature)).isFalse();
        assertThat(hmac.verify("1234.1234:private-foobar", null)).isFalse();
        assertThat(hmac.verify("1234.1234:private-foobar", "")).isFalse();
    }

    @Test
    void comparesInConstantTimeWhateverTheLengths() {
        assertThat(Hmac.constantTimeEquals("abc", "abc")).isTrue();
        assertThat(Hmac.constantTimeEquals("abc", "abd")).isFalse();
        assertThat(Hmac.constantTimeEquals("abc", "abcd")).isFalse();
        assertThat(Hmac.constantTimeEquals("", "")).isTrue();
    }

    @Test
    void givesTheSameSignatureOnEveryThread() throws Exception {
        String expected = hmac.hex("1234.1234:private-foobar");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                results.add(pool.submit(() -> {
                    for (int i = 0; i < 2000; i++) {
                        if (!hmac.hex("1234.1234:private-foobar").equals(expected)) {
                            return false;
                        }
                        hmac.hex("other " + i);
                    }
                    return true;
                }));
            }
            for (Future<Boolean> result : results) {
                assertThat(result.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void doesNotShowTheSecretWhenPrinted() {
        assertThat(hmac.toString()).doesNotContain(SECRET);
    }

    @Test
    void refusesAnEmptySecret() {
        assertThatThrownBy(() -> new Hmac("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Hmac(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
