package dev.throng.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.throng.gateway.auth.RequestAuth.Verdict;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The published and computed REST vectors of the spec (T4-T8, T10), the signature gem's own vectors and messages,
 * then every refusal.
 */
class RequestAuthTest {
    private static final String KEY = "278d425bdf160c739803";
    private static final String SECRET = "7ad3773142a6692b25b8";
    private static final long TIMESTAMP = 1353088179;
    private static final Instant THEN = Instant.ofEpochSecond(TIMESTAMP);
    private static final String EVENTS_BODY =
            "{\"name\":\"foo\",\"channels\":[\"project-3\"],\"data\":\"{\\\"some\\\":\\\"data\\\"}\"}";
    private static final String EVENTS_QUERY = "auth_key=278d425bdf160c739803&auth_timestamp=1353088179"
            + "&auth_version=1.0&body_md5=ec365a775a4cd0599faeb73354201b6f"
            + "&auth_signature=da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c";

    private final RequestAuth auth = new RequestAuth(KEY, new Hmac(SECRET), Duration.ofSeconds(600));

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ---- the vectors ---------------------------------------------------------------------------------------------

    @Test
    void verifiesPushersPublishedEventsExample() {
        assertThat(auth.verify("POST", "/apps/3/events", EVENTS_QUERY, utf8(EVENTS_BODY), THEN))
                .isEqualTo(Verdict.OK);
    }

    @Test
    void computesTheBodyMd5OfPushersPublishedEventsExample() {
        assertThat(RequestAuth.md5Hex(utf8(EVENTS_BODY))).isEqualTo("ec365a775a4cd0599faeb73354201b6f");
    }

    @Test
    void signsPushersPublishedEventsExample() {
        Map<String, String> params = Map.of(
                "auth_key",
                KEY,
                "auth_timestamp",
                "1353088179",
                "auth_version",
                "1.0",
                "body_md5",
                "ec365a775a4cd0599faeb73354201b6f");

        assertThat(RequestAuth.stringToSign("POST", "/apps/3/events", params))
                .isEqualTo("POST\n/apps/3/events\n"
                        + "auth_key=278d425bdf160c739803&auth_timestamp=1353088179&auth_version=1.0"
                        + "&body_md5=ec365a775a4cd0599faeb73354201b6f");
        assertThat(auth.signature("POST", "/apps/3/events", params))
                .isEqualTo("da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c");
    }

    @Test
    void verifiesTheSignatureGemsExample() {
        RequestAuth gem = new RequestAuth("key", new Hmac("secret"), Duration.ofSeconds(600));
        String query = "query=params&go=here&auth_version=1.0&auth_key=key&auth_timestamp=1234"
                + "&auth_signature=3b237953a5ba6619875cbb2a2d43e8da9ef5824e8a2c689f6284ac85bc1ea0db";

        assertThat(gem.verify("POST", "/some/path", query, null, Instant.ofEpochSecond(1234)))
                .isEqualTo(Verdict.OK);
    }

    @Test
    void verifiesTheSignatureGemsExampleWithUpperCaseKeys() {
        // The gem: "should cope with upcase keys (keys are lowercased before signing)".
        RequestAuth gem = new RequestAuth("key", new Hmac("secret"), Duration.ofSeconds(600));
        String query = "Query=params&GO=here&auth_version=1.0&auth_key=key&auth_timestamp=1234"
                + "&auth_signature=3b237953a5ba6619875cbb2a2d43e8da9ef5824e8a2c689f6284ac85bc1ea0db";

        assertThat(gem.verify("POST", "/some/path", query, null, Instant.ofEpochSecond(1234)))
                .isEqualTo(Verdict.OK);
    }

    @Test
    void verifiesAChannelInfoRequestAsTheNodeSdkSendsItUnencoded() {
        String query = "auth_key=278d425bdf160c739803&auth_timestamp=1353088179&auth_version=1.0"
                + "&info=user_count,subscription_count"
                + "&auth_signature=377ee9260ea002a70c0d40cd887d55cb36db9f7f821297f5efacbcce66be356d";

        assertThat(auth.verify("GET", "/apps/3/channels/presence-foobar", query, null, THEN))
                .isEqualTo(Verdict.OK);
    }

    @Test
    void verifiesAChannelInfoRequestAsThePhpSdkSendsItEncoded() {
        String query = "auth_key=278d425bdf160c739803&auth_signature="
                + "377ee9260ea002a70c0d40cd887d55cb36db9f7f821297f5efacbcce66be356d&auth_timestamp=1353088179"
                + "&auth_version=1.0&info=user_count%2Csubscription_count";

        assertThat(auth.verify("GET", "/apps/3/channels/presence-foobar", query, null, THEN))
                .isEqualTo(Verdict.OK);
    }

    @Test
    void verifiesAChannelsListFilteredByPrefix() {
        String query = "auth_key=278d425bdf160c739803&auth_timestamp=1353088179&auth_version=1.0"
                + "&filter_by_prefix=presence-&info=user_count"
                + "&auth_signature=16819168891cb5dfd72b5c7a5d3d602605b26c6ba1930033b5e2eeeb65010291";

        assertThat(auth.verify("GET", "/apps/3/channels", query, null, THEN)).isEqualTo(Verdict.OK);
    }

    @Test
    void verifiesATerminateConnectionsRequestWithItsEmptyObjectBody() {
        String query = "auth_key=278d425bdf160c739803&auth_timestamp=1353088179&auth_version=1.0"
                + "&body_md5=99914b932bd37a50b983c5e7c90ae93b"
                + "&auth_signature=01fa634edeb0cae84115307cad5c23f65a46cd286461b1c89637a3b5871a8f0e";

        assertThat(RequestAuth.md5Hex(utf8("{}"))).isEqualTo("99914b932bd37a50b983c5e7c90ae93b");
        assertThat(auth.verify("POST", "/apps/3/users/12345/terminate_connections", query, utf8("{}"), THEN))
                .isEqualTo(Verdict.OK);
    }

    @Test
    void acceptsATimestamp599SecondsFromTheServersClock() {
        assertThat(auth.verify("POST", "/apps/3/events", EVENTS_QUERY, utf8(EVENTS_BODY), THEN.plusSeconds(599)))
                .isEqualTo(Verdict.OK);
        assertThat(auth.verify("POST", "/apps/3/events", EVENTS_QUERY, utf8(EVENTS_BODY), THEN.minusSeconds(599)))
                .isEqualTo(Verdict.OK);
    }

    @Test
    void refusesATimestamp600SecondsFromTheServersClock() {
        Verdict late = auth.verify("POST", "/apps/3/events", EVENTS_QUERY, utf8(EVENTS_BODY), THEN.plusSeconds(600));
        Verdict early = auth.verify("POST", "/apps/3/events", EVENTS_QUERY, utf8(EVENTS_BODY), THEN.minusSeconds(600));

        assertThat(late)
                .isEqualTo(new Verdict(
                        401,
                        "Timestamp expired: Given timestamp (2012-11-16T17:49:39Z) not "
                                + "within 600s of server time (2012-11-16T17:59:39Z)"));
        assertThat(early)
                .isEqualTo(new Verdict(
                        401,
                        "Timestamp expired: Given timestamp (2012-11-16T17:49:39Z) not "
                                + "within 600s of server time (2012-11-16T17:39:39Z)"));
    }

    @Test
    void refusesAnExpiredTimestampWithTheGemsMessage() {
        RequestAuth gem = new RequestAuth("key", new Hmac("secret"), Duration.ofSeconds(600));
        String query = "query=params&go=here&auth_version=1.0&auth_key=key&auth_timestamp=1234"
                + "&auth_signature=3b237953a5ba6619875cbb2a2d43e8da9ef5824e8a2c689f6284ac85bc1ea0db";

        assertThat(gem.verify("POST", "/some/path", query, null, Instant.ofEpochSecond(1234 + 600))
                        .message())
                .isEqualTo("Timestamp expired: Given timestamp (1970-01-01T00:20:34Z) not within 600s of server time "
                        + "(1970-01-01T00:30:34Z)");
    }

    @Test
    void refusesABadSignatureWithTheGemsMessageNamingTheStringToSign() {
        RequestAuth gem = new RequestAuth("key", new Hmac("secret"), Duration.ofSeconds(600));
        String query = "query=params&go=here&auth_version=1.0&auth_key=key&auth_timestamp=1234&auth_signature=asdf";

        assertThat(gem.verify("POST", "/some/path", query, null, Instant.ofEpochSecond(1234)))
                .isEqualTo(new Verdict(
                        401,
                        "Invalid signature: you should have sent HmacSHA256Hex(\"POST\\n/some/path\\nauth_key=key"
                                + "&auth_timestamp=1234&auth_version=1.0&go=here&query=params\", your_secret_key), "
                                + "but you sent \"asdf\""));
    }

    @Test
    void takesTheWindowAsAParameter() {
        RequestAuth strict = new RequestAuth(KEY, new Hmac(SECRET), Duration.ofSeconds(10));

        assertThat(strict.verify("POST", "/apps/3/events", EVENTS_QUERY, utf8(EVENTS_BODY), THEN.plusSeconds(9))
                        .ok())
                .isTrue();
        assertThat(strict.verify("POST", "/apps/3/events", EVENTS_QUERY, utf8(EVENTS_BODY), THEN.plusSeconds(10))
                        .message())
                .contains("not within 10s");
    }

    // ---- decoding ------------------------------------------------------------------------------------------------

    @Test
    void signsAPlusAsASpaceAsPushersDocsShow() {
        // "given the keys auth_key: foo, Name: Something else, you get auth_key=foo&name=Something else"
        Map<String, String> params = signed("GET", "/apps/3/channels", Map.of("name", "Something else"), null);

        String query = "Name=Something+else&auth_key=" + KEY + "&auth_timestamp=" + TIMESTAMP
                + "&auth_version=1.0&auth_signature=" + params.get("auth_signature");

        assertThat(auth.verify("GET", "/apps/3/channels", query, null, THEN)).isEqualTo(Verdict.OK);
    }

    @Test
    void decodesPercentEscapesOfUtf8() {
        Map<String, String> params = signed("GET", "/apps/3/channels", Map.of("filter_by_prefix", "caf\u00e9"), null);
        String query = "filter_by_prefix=caf%C3%A9&auth_key=" + KEY + "&auth_timestamp=" + TIMESTAMP
                + "&auth_version=1.0&auth_signature=" + params.get("auth_signature");

        assertThat(auth.verify("GET", "/apps/3/channels", query, null, THEN)).isEqualTo(Verdict.OK);
    }

    @Test
    void readsRawUtf8BytesAsNettysRequestLineGivesThem() {
        Map<String, String> params = signed("GET", "/apps/3/channels", Map.of("filter_by_prefix", "caf\u00e9"), null);
        // Each byte of the request line as one character (ISO-8859-1): é is C3 A9.
        String query = "filter_by_prefix=caf\u00c3\u00a9&auth_key=" + KEY + "&auth_timestamp=" + TIMESTAMP
                + "&auth_version=1.0&auth_signature=" + params.get("auth_signature");

        assertThat(auth.verify("GET", "/apps/3/channels", query, null, THEN)).isEqualTo(Verdict.OK);
    }

    @Test
    void upperCasesTheMethod() {
        assertThat(auth.verify("post", "/apps/3/events", EVENTS_QUERY, utf8(EVENTS_BODY), THEN))
                .isEqualTo(Verdict.OK);
    }

    @Test
    void signsThePathAsReceived() {
        assertThat(auth.verify("POST", "/apps/3/events/", EVENTS_QUERY, utf8(EVENTS_BODY), THEN)
                        .status())
                .isEqualTo(401);
    }

    static Stream<Arguments> malformedQueries() {
        return Stream.of(
                Arguments.of("a percent sign without digits", "a=%zz"),
                Arguments.of("a percent sign with one digit at the end", "a=%4"),
                Arguments.of("a percent sign at the end", "a=%"),
                Arguments.of("bytes that are not UTF-8", "a=%ff%fe"),
                Arguments.of("a key twice", "auth_key=a&auth_key=b"),
                Arguments.of("a key twice in different cases", "auth_key=" + KEY + "&AUTH_KEY=" + KEY));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedQueries")
    void answersAQueryItCannotReadWith400(String what, String query) {
        assertThat(auth.verify("GET", "/apps/3/channels", query, null, THEN).status())
                .isEqualTo(400);
    }

    @Test
    void ignoresEmptyPairs() {
        String query = "&" + EVENTS_QUERY.replace("&", "&&") + "&";

        assertThat(auth.verify("POST", "/apps/3/events", query, utf8(EVENTS_BODY), THEN))
                .isEqualTo(Verdict.OK);
    }

    // ---- refusals --------------------------------------------------------------------------------------------------

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("no auth_key", "auth_key", null, "Authentication key required"),
                Arguments.of("another app's key", "auth_key", "other", "Invalid authentication key"),
                Arguments.of("no auth_version", "auth_version", null, "Version required"),
                Arguments.of("auth_version 1.1", "auth_version", "1.1", "Version not supported"),
                Arguments.of("no auth_timestamp", "auth_timestamp", null, "Timestamp required"),
                Arguments.of(
                        "a timestamp that is no number",
                        "auth_timestamp",
                        "yesterday",
                        "Timestamp invalid: \"yesterday\" is not a number of seconds"),
                Arguments.of(
                        "a timestamp far beyond any date",
                        "auth_timestamp",
                        "9223372036854775807",
                        "Timestamp expired: Given timestamp (9223372036854775807) not within 600s of server time "
                                + "(2012-11-16T17:49:39Z)"),
                Arguments.of(
                        "the most negative timestamp",
                        "auth_timestamp",
                        "-9223372036854775808",
                        "Timestamp expired: Given timestamp (-9223372036854775808) not within 600s of server time "
                                + "(2012-11-16T17:49:39Z)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refusesWithTheGemsMessage(String what, String param, String value, String message) {
        Map<String, String> params =
                new LinkedHashMap<>(Map.of("auth_key", KEY, "auth_timestamp", "1353088179", "auth_version", "1.0"));
        if (value == null) {
            params.remove(param);
        } else {
            params.put(param, value);
        }
        params.put("auth_signature", auth.signature("GET", "/apps/3/channels", params));

        assertThat(auth.verify("GET", "/apps/3/channels", query(params), null, THEN))
                .isEqualTo(new Verdict(401, message));
    }

    @Test
    void refusesARequestWithoutASignatureAsTheGemDoes() {
        String query = "auth_key=" + KEY + "&auth_timestamp=" + TIMESTAMP + "&auth_version=1.0";

        assertThat(auth.verify("GET", "/apps/3/channels", query, null, THEN))
                .isEqualTo(new Verdict(
                        401,
                        "Invalid signature: you should have sent HmacSHA256Hex(\"GET\\n/apps/3/channels\\nauth_key="
                                + KEY
                                + "&auth_timestamp=1353088179&auth_version=1.0\", your_secret_key), but you sent nil"));
    }

    @Test
    void refusesAnUpperCaseSignature() {
        assertThat(auth.verify(
                                "POST",
                                "/apps/3/events",
                                EVENTS_QUERY.replace("da454824c97b", "DA454824C97B"),
                                utf8(EVENTS_BODY),
                                THEN)
                        .status())
                .isEqualTo(401);
    }

    @Test
    void refusesAnotherBodyUnderTheSameSignature() {
        Verdict verdict = auth.verify(
                "POST", "/apps/3/events", EVENTS_QUERY, utf8(EVENTS_BODY.replace("project-3", "project-4")), THEN);

        assertThat(verdict.status()).isEqualTo(401);
        assertThat(verdict.message())
                .startsWith("Invalid body_md5: the body's MD5 is ")
                .endsWith(", but you sent \"ec365a775a4cd0599faeb73354201b6f\"");
    }

    @Test
    void refusesABodyWithoutBodyMd5() {
        Map<String, String> params = signed("POST", "/apps/3/events", Map.of(), null);

        Verdict verdict = auth.verify("POST", "/apps/3/events", query(params), utf8(EVENTS_BODY), THEN);

        assertThat(verdict.status()).isEqualTo(401);
        assertThat(verdict.message()).startsWith("Body MD5 required");
    }

    @Test
    void acceptsAnEmptyBodyWithoutBodyMd5() {
        Map<String, String> params = signed("GET", "/apps/3/channels", Map.of(), null);

        assertThat(auth.verify("GET", "/apps/3/channels", query(params), new byte[0], THEN))
                .isEqualTo(Verdict.OK);
        assertThat(auth.verify("GET", "/apps/3/channels", query(params), null, THEN))
                .isEqualTo(Verdict.OK);
    }

    @Test
    void acceptsAnEmptyBodyWithTheMd5OfNothing() {
        Map<String, String> params = signed("POST", "/apps/3/events", Map.of(), "d41d8cd98f00b204e9800998ecf8427e");

        assertThat(auth.verify("POST", "/apps/3/events", query(params), new byte[0], THEN))
                .isEqualTo(Verdict.OK);
    }

    @Test
    void refusesAnEmptyBodyWhoseBodyMd5IsAnothers() {
        Map<String, String> params = signed("POST", "/apps/3/events", Map.of(), "99914b932bd37a50b983c5e7c90ae93b");

        assertThat(auth.verify("POST", "/apps/3/events", query(params), new byte[0], THEN)
                        .status())
                .isEqualTo(401);
    }

    @ParameterizedTest
    @ValueSource(strings = {"auth_key", "auth_version", "auth_timestamp", "auth_signature", "body_md5"})
    void neverNamesTheSecret(String spoiled) {
        String query = EVENTS_QUERY.replace(spoiled + "=", spoiled + "=x");

        Verdict verdict = auth.verify("POST", "/apps/3/events", query, utf8(EVENTS_BODY), THEN);

        assertThat(verdict.status()).isEqualTo(401);
        assertThat(verdict.message()).doesNotContain(SECRET);
    }

    @Test
    void showsTheStringToSignAsRubyWouldInspectIt() {
        assertThat(RequestAuth.inspect("a\"b\\c\nd\te\u0001f#{g}#h"))
                .isEqualTo("\"a\\\"b\\\\c\\nd\\te\\u0001f\\#{g}#h\"");
    }

    /** The params plus auth_key, auth_timestamp, auth_version, body_md5 (when given) and their signature. */
    private Map<String, String> signed(String method, String path, Map<String, String> extra, String bodyMd5) {
        Map<String, String> params = new LinkedHashMap<>(extra);
        params.put("auth_key", KEY);
        params.put("auth_timestamp", Long.toString(TIMESTAMP));
        params.put("auth_version", "1.0");
        if (bodyMd5 != null) {
            params.put("body_md5", bodyMd5);
        }
        params.put("auth_signature", auth.signature(method, path, params));
        return params;
    }

    /** As the Node SDK sends them: key=value, unencoded. */
    private static String query(Map<String, String> params) {
        StringBuilder out = new StringBuilder();
        params.forEach((k, v) ->
                out.append(out.length() == 0 ? "" : "&").append(k).append('=').append(v));
        return out.toString();
    }
}
