package dev.throng.gateway.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.throng.gateway.app.App;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The JSON of each event, as pusher-spec section 9's table shows it. */
class WebhookEventTest {
    private static final App APP = App.of("1", "key", "secret", true);

    static Stream<Arguments> events() {
        return Stream.of(
                Arguments.of(
                        "channel_occupied",
                        event("channel_occupied", "my-channel", null, null, null, null),
                        "{\"name\":\"channel_occupied\",\"channel\":\"my-channel\"}"),
                Arguments.of(
                        "channel_vacated",
                        event("channel_vacated", "my-channel", null, null, null, null),
                        "{\"name\":\"channel_vacated\",\"channel\":\"my-channel\"}"),
                Arguments.of(
                        "member_added",
                        event("member_added", "presence-room", "a_user_id", null, null, null),
                        "{\"name\":\"member_added\",\"channel\":\"presence-room\",\"user_id\":\"a_user_id\"}"),
                Arguments.of(
                        "member_removed",
                        event("member_removed", "presence-room", "10", null, null, null),
                        "{\"name\":\"member_removed\",\"channel\":\"presence-room\",\"user_id\":\"10\"}"),
                Arguments.of(
                        "client_event on a presence channel",
                        event("client_event", "presence-room", "10", "client-typing", "{\"x\":1}", "123.456"),
                        "{\"name\":\"client_event\",\"channel\":\"presence-room\",\"event\":\"client-typing\","
                                + "\"data\":\"{\\\"x\\\":1}\",\"socket_id\":\"123.456\",\"user_id\":\"10\"}"),
                Arguments.of(
                        "client_event on a private channel",
                        event("client_event", "private-room", null, "client-typing", "hi", "123.456"),
                        "{\"name\":\"client_event\",\"channel\":\"private-room\",\"event\":\"client-typing\","
                                + "\"data\":\"hi\",\"socket_id\":\"123.456\"}"),
                Arguments.of(
                        "cache_miss",
                        event("cache_miss", "cache-news", null, null, null, null),
                        "{\"name\":\"cache_miss\",\"channel\":\"cache-news\"}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("events")
    void writesEachEventAsTheSpecsTable(String caseName, WebhookEvent event, String json) {
        assertThat(body(List.of(event))).isEqualTo("{\"time_ms\":1000,\"events\":[" + json + "]}");
    }

    @Test
    void takesTimeMsFromTheFirstEventAndKeepsTheOrder() {
        WebhookEvent first = new WebhookEvent(APP, "channel_occupied", "b", null, null, null, null, 2000, 0);
        WebhookEvent second = new WebhookEvent(APP, "channel_occupied", "a", null, null, null, null, 1000, 0);

        assertThat(body(List.of(first, second)))
                .isEqualTo(
                        "{\"time_ms\":2000,\"events\":["
                                + "{\"name\":\"channel_occupied\",\"channel\":\"b\"},{\"name\":\"channel_occupied\",\"channel\":\"a\"}]}");
    }

    @Test
    void escapesDataAndWritesOtherTextAsUtf8() {
        WebhookEvent e = event("client_event", "private-é", null, "client-x", "line\n\"quoted\"\\", "1.2");

        assertThat(body(List.of(e)))
                .contains("\"channel\":\"private-é\"")
                .contains("\"data\":\"line\\n\\\"quoted\\\"\\\\\"");
    }

    private static WebhookEvent event(
            String name, String channel, String userId, String event, String data, String socketId) {
        return new WebhookEvent(APP, name, channel, userId, event, data, socketId, 1000, 0);
    }

    private static String body(List<WebhookEvent> events) {
        return new String(WebhookEvent.body(events), StandardCharsets.UTF_8);
    }
}
