package dev.throng.gateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every frame byte for byte as the spec shows it (fields in Pusher's wire order: event, data, channel, user_id),
 * and the escaping of what frames carry.
 */
class ServerFramesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void writesTheHandshakeWithItsDataAsAString() {
        assertThat(ServerFrames.connectionEstablished("123456.7891011", 120))
                .isEqualTo("{\"event\":\"pusher:connection_established\","
                        + "\"data\":\"{\\\"socket_id\\\":\\\"123456.7891011\\\",\\\"activity_timeout\\\":120}\"}");
    }

    @Test
    void writesTheHandshakeOfTheSwiftClientsFixture() {
        assertThat(ServerFrames.connectionEstablished("45481.3166671", 120))
                .isEqualTo("{\"event\":\"pusher:connection_established\","
                        + "\"data\":\"{\\\"socket_id\\\":\\\"45481.3166671\\\",\\\"activity_timeout\\\":120}\"}");
    }

    @Test
    void refusesAHandshakeWithoutAnActivityTimeout() {
        // pusher-js throws 'No activity timeout specified in handshake' and never retries.
        assertThatThrownBy(() -> ServerFrames.connectionEstablished("1.2", 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void answersAPingWithPushersPongBytes() {
        assertThat(ServerFrames.pong()).isEqualTo("{\"event\":\"pusher:pong\",\"data\":\"{}\"}");
    }

    @Test
    void pingsWithAStringData() {
        assertThat(ServerFrames.ping()).isEqualTo("{\"event\":\"pusher:ping\",\"data\":\"{}\"}");
    }

    @Test
    void confirmsASubscriptionAsErlpusherMatchesIt() {
        assertThat(ServerFrames.subscriptionSucceeded("my-channel"))
                .isEqualTo(
                        "{\"event\":\"pusher_internal:subscription_succeeded\",\"data\":\"{}\",\"channel\":\"my-channel\"}");
    }

    @Test
    void confirmsAPresenceSubscriptionWithTheProtocolDocsMembers() {
        List<PresenceMember> members = List.of(
                PresenceMember.withStringId(
                        "11814b369700141b222a3f3791cec2d9", "{\"name\":\"Phil Leggetter\",\"twitter\":\"@leggetter\"}"),
                PresenceMember.withStringId(
                        "71dd6a29da2a4833336d2a964becf820", "{\"name\":\"Max Williams\",\"twitter\":\"@maxthelion\"}"));

        assertThat(ServerFrames.presenceSubscriptionSucceeded("presence-example-channel", members))
                .isEqualTo(
                        "{\"event\":\"pusher_internal:subscription_succeeded\",\"data\":\"{\\\"presence\\\":{\\\"ids\\\":"
                                + "[\\\"11814b369700141b222a3f3791cec2d9\\\",\\\"71dd6a29da2a4833336d2a964becf820\\\"],\\\"hash\\\":"
                                + "{\\\"11814b369700141b222a3f3791cec2d9\\\":{\\\"name\\\":\\\"Phil Leggetter\\\",\\\"twitter\\\":"
                                + "\\\"@leggetter\\\"},\\\"71dd6a29da2a4833336d2a964becf820\\\":{\\\"name\\\":\\\"Max Williams\\\","
                                + "\\\"twitter\\\":\\\"@maxthelion\\\"}},\\\"count\\\":2}}\","
                                + "\"channel\":\"presence-example-channel\"}");
    }

    @Test
    void keepsANumericUserIdANumberInIdsAndAStringAsHashKey() {
        List<PresenceMember> members = List.of(new PresenceMember("10", "{\"name\":\"Mr. Pusher\"}"));

        assertThat(ServerFrames.presenceSubscriptionSucceeded("presence-foobar", members))
                .isEqualTo(
                        "{\"event\":\"pusher_internal:subscription_succeeded\",\"data\":\"{\\\"presence\\\":{\\\"ids\\\":[10],"
                                + "\\\"hash\\\":{\\\"10\\\":{\\\"name\\\":\\\"Mr. Pusher\\\"}},\\\"count\\\":1}}\","
                                + "\"channel\":\"presence-foobar\"}");
    }

    @Test
    void keepsAMemberWithoutUserInfoInTheHashAsNull() {
        List<PresenceMember> members = List.of(new PresenceMember("\"a\"", null));

        assertThat(ServerFrames.presenceSubscriptionSucceeded("presence-x", members))
                .isEqualTo(
                        "{\"event\":\"pusher_internal:subscription_succeeded\",\"data\":\"{\\\"presence\\\":{\\\"ids\\\":"
                                + "[\\\"a\\\"],\\\"hash\\\":{\\\"a\\\":null},\\\"count\\\":1}}\",\"channel\":\"presence-x\"}");
    }

    @Test
    void confirmsAnEmptyPresenceListWithCountZero() throws Exception {
        JsonNode data = dataOf(ServerFrames.presenceSubscriptionSucceeded("presence-x", List.of()));

        assertThat(data.toString()).isEqualTo("{\"presence\":{\"ids\":[],\"hash\":{},\"count\":0}}");
    }

    @Test
    void announcesAMemberWithItsUserInfo() {
        assertThat(ServerFrames.memberAdded(
                        "presence-x", "\"11814b369700141b222a3f3791cec2d9\"", "{\"name\":\"Phil Leggetter\"}"))
                .isEqualTo("{\"event\":\"pusher_internal:member_added\",\"data\":\"{\\\"user_id\\\":"
                        + "\\\"11814b369700141b222a3f3791cec2d9\\\",\\\"user_info\\\":{\\\"name\\\":\\\"Phil Leggetter\\\"}}\","
                        + "\"channel\":\"presence-x\"}");
    }

    @Test
    void announcesAMemberWithoutUserInfoWithoutTheField() {
        assertThat(ServerFrames.memberAdded("presence-x", "10", null))
                .isEqualTo("{\"event\":\"pusher_internal:member_added\",\"data\":\"{\\\"user_id\\\":10}\","
                        + "\"channel\":\"presence-x\"}");
    }

    @Test
    void announcesAMemberLeaving() {
        assertThat(ServerFrames.memberRemoved("presence-x", "\"11814b369700141b222a3f3791cec2d9\""))
                .isEqualTo("{\"event\":\"pusher_internal:member_removed\",\"data\":\"{\\\"user_id\\\":"
                        + "\\\"11814b369700141b222a3f3791cec2d9\\\"}\",\"channel\":\"presence-x\"}");
    }

    @Test
    void writesAChannelEventWithTheChannelLast() {
        assertThat(ServerFrames.channelEvent("my-event", "my-channel", "{\"hello\":\"world\"}", null))
                .isEqualTo(
                        "{\"event\":\"my-event\",\"data\":\"{\\\"hello\\\":\\\"world\\\"}\",\"channel\":\"my-channel\"}");
    }

    @Test
    void writesAPresenceClientEventWithTheSendersUserIdAsAString() {
        assertThat(ServerFrames.channelEvent("client-typing", "presence-chat", "{\"your\":\"data\"}", "10"))
                .isEqualTo("{\"event\":\"client-typing\",\"data\":\"{\\\"your\\\":\\\"data\\\"}\","
                        + "\"channel\":\"presence-chat\",\"user_id\":\"10\"}");
    }

    @Test
    void writesAServerToUserEventOnTheUsersChannel() {
        assertThat(ServerFrames.channelEvent("my-event", "#server-to-user-12345", "hi", null))
                .isEqualTo("{\"event\":\"my-event\",\"data\":\"hi\",\"channel\":\"#server-to-user-12345\"}");
    }

    @Test
    void passesEncryptedDataThroughAsTheSameString() throws Exception {
        String ciphertext = "{\"nonce\":\"4Vf0Lr0kGA3wQFQxBjGQ1Ts2Rk1mBRd/\",\"ciphertext\":\"q+8Q/yL9Zv==\"}";

        JsonNode frame = JSON.readTree(ServerFrames.channelEvent("e", "private-encrypted-x", ciphertext, null));

        assertThat(frame.get("data").asText()).isEqualTo(ciphertext);
    }

    @Test
    void tellsACacheChannelSubscriberTheCacheIsEmpty() {
        assertThat(ServerFrames.cacheMiss("cache-foo"))
                .isEqualTo("{\"event\":\"pusher:cache_miss\",\"data\":\"{}\",\"channel\":\"cache-foo\"}");
    }

    @Test
    void countsSubscribers() {
        assertThat(ServerFrames.subscriptionCount("my-channel", 3))
                .isEqualTo(
                        "{\"event\":\"pusher_internal:subscription_count\",\"data\":\"{\\\"subscription_count\\\":3}\","
                                + "\"channel\":\"my-channel\"}");
    }

    @Test
    void confirmsASigninWithTheUserDataStringInAnObject() {
        assertThat(ServerFrames.signinSuccess("{\"id\":\"12345\"}"))
                .isEqualTo(
                        "{\"event\":\"pusher:signin_success\",\"data\":{\"user_data\":\"{\\\"id\\\":\\\"12345\\\"}\"}}");
    }

    @Test
    void listsWatchlistChangesAsPusherJsTestsThem() {
        assertThat(ServerFrames.watchlistEvents(List.of("1"), List.of("2", "3")))
                .isEqualTo(
                        "{\"event\":\"pusher_internal:watchlist_events\",\"data\":\"{\\\"events\\\":[{\\\"name\\\":\\\"online\\\","
                                + "\\\"user_ids\\\":[\\\"1\\\"]},{\\\"name\\\":\\\"offline\\\","
                                + "\\\"user_ids\\\":[\\\"2\\\",\\\"3\\\"]}]}\"}");
    }

    @Test
    void leavesAnEmptyWatchlistChangeOut() {
        assertThat(ServerFrames.watchlistEvents(List.of(), List.of("2")))
                .isEqualTo(
                        "{\"event\":\"pusher_internal:watchlist_events\",\"data\":\"{\\\"events\\\":[{\\\"name\\\":\\\"offline\\\","
                                + "\\\"user_ids\\\":[\\\"2\\\"]}]}\"}");
    }

    // ---- escaping ----------------------------------------------------------------------------------------------

    /** Raw text, its escaped form, and what the case is (CSV would trim the control characters). */
    static Stream<Arguments> escapes() {
        return Stream.of(
                Arguments.of("a\"b", "a\\\"b", "a quote"),
                Arguments.of("a\\b", "a\\\\b", "a backslash"),
                Arguments.of("/", "/", "a slash, as it is"),
                Arguments.of("\b\f\n\r\t", "\\b\\f\\n\\r\\t", "the short escapes"),
                Arguments.of(
                        "\u0000\u0001\u001f",
                        "\\u0000\\u0001\\u001f",
                        "other control characters, in lower-case hex as JSON.stringify"),
                Arguments.of("\u007f", "\u007f", "DEL, as it is"),
                Arguments.of("caf\u00e9 \u20ac", "caf\u00e9 \u20ac", "non-ASCII, as it is"),
                Arguments.of("\ud83d\ude00", "\ud83d\ude00", "a surrogate pair, as it is"),
                Arguments.of("\u2028\u2029", "\u2028\u2029", "the JavaScript line separators, as JSON.stringify"),
                Arguments.of("\ud800", "\\ud800", "a lone high surrogate, escaped"),
                Arguments.of("\udc00x", "\\udc00x", "a lone low surrogate, escaped"),
                Arguments.of("\ude00\ud83d", "\\ude00\\ud83d", "a pair in the wrong order, both escaped"));
    }

    @ParameterizedTest(name = "{2}")
    @MethodSource("escapes")
    void escapesWhatJsonRequiresAndNothingElse(String raw, String escaped, String what) {
        assertThat(JsonText.quote(raw)).isEqualTo('"' + escaped + '"');
    }

    @Test
    void escapesUnpairedSurrogatesSoTheFrameIsValidUtf8() throws Exception {
        String data = "a\ud800b\udc00c\ude00\ud83d";

        String frame = ServerFrames.channelEvent("e", "c", data, null);

        assertThat(frame).contains("a\\ud800b\\udc00c\\ude00\\ud83d");
        assertThat(isValidUtf16(frame)).isTrue();
        assertThat(JSON.readTree(frame).get("data").asText()).isEqualTo(data);
    }

    @Test
    void escapesFromACharacterArrayTheSameWay() {
        String text = "\"\\\n\u0001\ud800\ud83d\ude00caf\u00e9";
        char[] chars = ("xx" + text + "xx").toCharArray();
        StringBuilder fromArray = new StringBuilder();

        JsonText.appendEscaped(fromArray, chars, 2, text.length());

        assertThat('"' + fromArray.toString() + '"').isEqualTo(JsonText.quote(text));
    }

    @Test
    void givesBackEveryStringItCarriesWhenReadAsJson() throws Exception {
        Random random = new Random(17);
        for (int i = 0; i < 2000; i++) {
            String event = randomString(random, 20);
            String channel = randomString(random, 20);
            String data = randomString(random, 60);
            String userId = randomString(random, 10);

            String frame = ServerFrames.channelEvent(event, channel, data, userId);

            JsonNode node = JSON.readTree(frame);
            assertThat(node.get("event").asText()).isEqualTo(event);
            assertThat(node.get("data").asText()).isEqualTo(data);
            assertThat(node.get("channel").asText()).isEqualTo(channel);
            assertThat(node.get("user_id").asText()).isEqualTo(userId);
            assertThat(isValidUtf16(frame))
                    .as("frame %s is valid UTF-16 (so valid UTF-8 once encoded)", frame)
                    .isTrue();
        }
    }

    @Test
    void refusesAPresenceIdThatIsNoJsonLiteral() {
        assertThatThrownBy(() -> new PresenceMember("abc", null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PresenceMember("", null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PresenceMember("\"", null)).isInstanceOf(IllegalArgumentException.class);
    }

    private static JsonNode dataOf(String frame) throws Exception {
        return JSON.readTree(JSON.readTree(frame).get("data").asText());
    }

    /** Characters anywhere in the BMP and beyond, with control characters, quotes and lone surrogates often. */
    private static String randomString(Random random, int maxLength) {
        char[] interesting = {
            '"', '\\', '\n', '\u0000', '\u001f', '\u007f', '\u00e9', '\u2028', '\ud800', '\udfff', '/', 'a'
        };
        StringBuilder out = new StringBuilder();
        int length = random.nextInt(maxLength + 1);
        for (int i = 0; i < length; i++) {
            out.append(
                    random.nextBoolean()
                            ? interesting[random.nextInt(interesting.length)]
                            : (char) random.nextInt(Character.MAX_VALUE + 1));
        }
        return out.toString();
    }

    private static boolean isValidUtf16(String s) {
        try {
            StandardCharsets.UTF_8
                    .newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(s));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
