package dev.throng.gateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Collections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PusherErrorTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void sendsAFatalErrorWithItsCodeAndPushersMessage() {
        assertThat(PusherError.APP_NOT_FOUND.frame())
                .isEqualTo(
                        "{\"event\":\"pusher:error\",\"data\":{\"code\":4001,\"message\":\"Application does not exist\"}}");
    }

    @Test
    void sendsANonFatalErrorWithANullCodeAsPusherDoes() {
        // pusher/pusher-js#45: what Pusher sent on a second subscribe.
        assertThat(PusherError.EXISTING_SUBSCRIPTION.frame("test-channel"))
                .isEqualTo("{\"event\":\"pusher:error\","
                        + "\"data\":{\"code\":null,\"message\":\"Existing subscription to channel test-channel\"}}");
    }

    @Test
    void formatsPushersInvalidSignatureMessage() {
        // pusher/pusher-websocket-java#205.
        assertThat(PusherError.INVALID_SIGNATURE.message("264774.13368624:private-phone-company-509", "52aabdb7"))
                .isEqualTo("Invalid signature: Expected HMAC SHA256 hex digest of "
                        + "264774.13368624:private-phone-company-509, but got 52aabdb7");
    }

    @Test
    void formatsPushersInvalidKeyMessageForSubscriptions() {
        assertThat(PusherError.INVALID_KEY.message("subscription", "<authorizer_timeout>"))
                .isEqualTo("Invalid key in subscription auth data: '<authorizer_timeout>'");
    }

    @Test
    void formatsPushersWatchlistMessage() {
        assertThat(PusherError.WATCHLIST_LIMIT.frame(100))
                .isEqualTo(
                        "{\"event\":\"pusher:error\",\"data\":"
                                + "{\"code\":4302,\"message\":\"Watchlist limit exceeded. Only the first 100 user IDs are accepted.\"}}");
    }

    @Test
    void escapesWhatTheMessageQuotes() {
        assertThat(PusherError.INVALID_CHANNEL_NAME.frame("a\"b\\c\n"))
                .isEqualTo("{\"event\":\"pusher:error\","
                        + "\"data\":{\"code\":null,\"message\":\"Invalid channel name 'a\\\"b\\\\c\\n'\"}}");
    }

    @ParameterizedTest
    @EnumSource(PusherError.class)
    void closesOnlyWithACodePusherJsRecoversFromOrRefusesBelow4300(PusherError error) {
        if (error.closes()) {
            assertThat(error.closeCode()).isBetween(4000, 4299);
            assertThat(error.code()).hasValue(error.closeCode());
        }
    }

    @ParameterizedTest
    @EnumSource(PusherError.class)
    void hasACodeInPushersRangeOrNone(PusherError error) {
        error.code().ifPresent(code -> assertThat(code).isBetween(4000, 4399));
    }

    @Test
    void sendsTheRateLimitAndWatchlistCodesAsMessagesOnly() {
        assertThat(PusherError.CLIENT_EVENT_RATE_LIMIT.code()).hasValue(4301);
        assertThat(PusherError.CLIENT_EVENT_RATE_LIMIT.closes()).isFalse();
        assertThat(PusherError.WATCHLIST_LIMIT.code()).hasValue(4302);
        assertThat(PusherError.WATCHLIST_LIMIT.closes()).isFalse();
    }

    @Test
    void closesASlowConsumerWithACodePusherJsRetriesAfterASecond() {
        assertThat(PusherError.SLOW_CONSUMER.closeCode()).isBetween(4100, 4199);
    }

    @Test
    void refusesTheCloseCodeOfAnErrorThatDoesNotClose() {
        assertThatThrownBy(PusherError.EXISTING_SUBSCRIPTION::closeCode).isInstanceOf(IllegalStateException.class);
    }

    @ParameterizedTest
    @EnumSource(PusherError.class)
    void refusesTheWrongNumberOfArguments(PusherError error) {
        Object[] oneTooMany = Collections.nCopies(error.arity() + 1, "x").toArray();

        assertThatThrownBy(() -> error.message(oneTooMany)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @EnumSource(PusherError.class)
    void framesAreJsonWithAnObjectDataHoldingCodeAndMessage(PusherError error) throws Exception {
        Object[] args = Collections.nCopies(error.arity(), 7).toArray();
        JsonNode frame = JSON.readTree(error.frame(args));

        assertThat(frame.get("event").asText()).isEqualTo("pusher:error");
        assertThat(frame.get("data").isObject()).isTrue();
        assertThat(frame.get("data").get("message").asText()).isEqualTo(error.message(args));
        if (error.code().isPresent()) {
            assertThat(frame.get("data").get("code").asInt())
                    .isEqualTo(error.code().getAsInt());
        } else {
            assertThat(frame.get("data").get("code").isNull()).isTrue();
        }
    }

    @Test
    void repliesWithTheFormattedMessage() {
        ErrorReply reply = PusherError.NO_SUBSCRIPTION.reply("my-channel");

        assertThat(reply.error()).isEqualTo(PusherError.NO_SUBSCRIPTION);
        assertThat(reply.message())
                .isEqualTo("No current subscription to channel my-channel, or subscription in progress");
        assertThat(reply.frame()).isEqualTo(PusherError.NO_SUBSCRIPTION.frame("my-channel"));
    }
}
