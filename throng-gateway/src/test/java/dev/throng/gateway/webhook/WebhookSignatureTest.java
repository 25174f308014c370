package dev.throng.gateway.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {
    private static final String SECRET = "7ad3773142a6692b25b8";
    private static final String BODY =
            "{\"time_ms\":1327078148132,\"events\":[{\"name\":\"channel_occupied\",\"channel\":\"test_channel\"}]}";

    @Test
    void signsThePublishedWebhookTestVector() {
        // pusher-spec section 9 and T9.
        assertThat(WebhookSignature.sign(SECRET, BODY.getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("709fdb84c03664445f7698120b0edf0acc1ab1c8c6e93a0368c61841d6b998aa");
    }

    @Test
    void signsTheExactBytesSoOneMoreSpaceIsAnotherSignature() {
        String spaced = BODY.replace(",\"events\"", ", \"events\"");

        assertThat(WebhookSignature.sign(SECRET, spaced.getBytes(StandardCharsets.UTF_8)))
                .isNotEqualTo("709fdb84c03664445f7698120b0edf0acc1ab1c8c6e93a0368c61841d6b998aa")
                .matches("[0-9a-f]{64}");
    }
}
