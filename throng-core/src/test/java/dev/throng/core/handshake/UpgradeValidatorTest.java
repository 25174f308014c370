package dev.throng.core.handshake;

import static org.assertj.core.api.Assertions.assertThat;

import dev.throng.core.ServerConfig;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link UpgradeValidator}: RFC 6455 §4.2.1's checks on an opening handshake, and the answers to other requests. */
class UpgradeValidatorTest {
    private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    private static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    private UpgradeValidator validator = validator(b -> b);

    private static UpgradeValidator validator(UnaryOperator<ServerConfig.Builder> customize) {
        return new UpgradeValidator(customize.apply(ServerConfig.builder()).build());
    }

    /** The opening handshake of RFC 6455 §1.2, as a browser would send it. */
    private static HttpRequest upgrade(String uri) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        request.headers()
                .set("Host", "server.example.com")
                .set("Upgrade", "websocket")
                .set("Connection", "Upgrade")
                .set("Sec-WebSocket-Key", KEY)
                .set("Sec-WebSocket-Version", "13");
        return request;
    }

    private static HttpRequest upgrade() {
        return upgrade("/chat");
    }

    private UpgradeOutcome.Accept accepted(HttpRequest request) {
        UpgradeOutcome outcome = validator.validate(request);
        assertThat(outcome).isInstanceOf(UpgradeOutcome.Accept.class);
        return (UpgradeOutcome.Accept) outcome;
    }

    private UpgradeOutcome.Reply replied(HttpRequest request) {
        UpgradeOutcome outcome = validator.validate(request);
        assertThat(outcome).isInstanceOf(UpgradeOutcome.Reply.class);
        return (UpgradeOutcome.Reply) outcome;
    }

    private HttpReplyReason reasonFor(HttpRequest request) {
        return replied(request).reason();
    }

    // ---- a valid upgrade ------------------------------------------------------------------------------------------

    @Test
    void acceptsTheRfcSampleHandshakeWithTheSampleAcceptValue() {
        UpgradeOutcome.Accept accept = accepted(upgrade("/chat?room=1"));

        assertThat(accept.accept()).isEqualTo(ACCEPT);
        assertThat(accept.path()).isEqualTo("/chat?room=1");
        assertThat(accept.subprotocol()).isNull();
        assertThat(accept.deflate()).isNull();
    }

    @Test
    void acceptsAFullRequestWithAnEmptyBody() {
        DefaultFullHttpRequest request =
                new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/", Unpooled.EMPTY_BUFFER);
        request.headers().add(upgrade().headers());
        try {
            assertThat(accepted(request).accept()).isEqualTo(ACCEPT);
        } finally {
            request.release();
        }
    }

    @ParameterizedTest(name = "Connection: {0}")
    @ValueSource(
            strings = {
                "Upgrade",
                "upgrade",
                "UPGRADE",
                "keep-alive, Upgrade",
                "Upgrade, keep-alive",
                "keep-alive,upgrade",
                "keep-alive ,  Upgrade"
            })
    void findsTheUpgradeTokenInTheConnectionHeaderCaseInsensitively(String connection) {
        HttpRequest request = upgrade();
        request.headers().set("Connection", connection);

        assertThat(accepted(request).accept()).isEqualTo(ACCEPT);
    }

    @Test
    void findsTheUpgradeTokenInASecondConnectionHeader() {
        HttpRequest request = upgrade();
        request.headers().set("Connection", "keep-alive").add("Connection", "Upgrade");

        assertThat(accepted(request).accept()).isEqualTo(ACCEPT);
    }

    @ParameterizedTest(name = "Upgrade: {0}")
    @ValueSource(strings = {"websocket", "WebSocket", "WEBSOCKET", "h2c, websocket"})
    void findsTheWebSocketTokenInTheUpgradeHeaderCaseInsensitively(String upgrade) {
        HttpRequest request = upgrade();
        request.headers().set("Upgrade", upgrade);

        assertThat(accepted(request).accept()).isEqualTo(ACCEPT);
    }

    @Test
    void negotiatesPermessageDeflateWhenCompressionIsOn() {
        HttpRequest request = upgrade();
        request.headers().add("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits");

        DeflateAgreement deflate = accepted(request).deflate();

        assertThat(deflate).isNotNull();
        assertThat(deflate.responseHeader())
                .isEqualTo("permessage-deflate; server_no_context_takeover; client_no_context_takeover");
    }

    @Test
    void ignoresPermessageDeflateWhenCompressionIsOff() {
        validator = validator(b -> b.compression(false));
        HttpRequest request = upgrade();
        request.headers().add("Sec-WebSocket-Extensions", "permessage-deflate");

        assertThat(accepted(request).deflate()).isNull();
    }

    // ---- §4.2.1 violations ----------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"POST", "PUT", "DELETE", "OPTIONS", "HEAD"})
    void answersAnUpgradeByAnyMethodButGetWith405(String method) {
        HttpRequest request = upgrade();
        request.setMethod(HttpMethod.valueOf(method));

        UpgradeOutcome.Reply reply = replied(request);

        assertThat(reply.reason()).isEqualTo(HttpReplyReason.METHOD_NOT_ALLOWED);
        assertThat(reply.reason().status()).isEqualTo(405);
        assertThat(reply.headers()).containsEntry("Allow", "GET");
    }

    @Test
    void answersAnHttp10UpgradeWith505() {
        HttpRequest request = upgrade();
        request.setProtocolVersion(HttpVersion.HTTP_1_0);

        assertThat(reasonFor(request)).isEqualTo(HttpReplyReason.UNSUPPORTED_HTTP_VERSION);
        assertThat(HttpReplyReason.UNSUPPORTED_HTTP_VERSION.status()).isEqualTo(505);
    }

    @Test
    void answersAnUpgradeWithoutHostWith400() {
        HttpRequest request = upgrade();
        request.headers().remove("Host");

        assertThat(reasonFor(request)).isEqualTo(HttpReplyReason.MISSING_HOST);
        assertThat(HttpReplyReason.MISSING_HOST.status()).isEqualTo(400);
    }

    @ParameterizedTest(name = "Connection: ''{0}''")
    @ValueSource(strings = {"", "keep-alive", "upgrades", "close", "up grade"})
    void answersAnUpgradeWithoutConnectionUpgradeWith400(String connection) {
        HttpRequest request = upgrade();
        request.headers().set("Connection", connection);

        assertThat(reasonFor(request)).isEqualTo(HttpReplyReason.MISSING_CONNECTION_UPGRADE);
    }

    @Test
    void answersAnUpgradeWithoutAnyConnectionHeaderWith400() {
        HttpRequest request = upgrade();
        request.headers().remove("Connection");

        assertThat(reasonFor(request)).isEqualTo(HttpReplyReason.MISSING_CONNECTION_UPGRADE);
        assertThat(HttpReplyReason.MISSING_CONNECTION_UPGRADE.status()).isEqualTo(400);
    }

    @ParameterizedTest(name = "Sec-WebSocket-Version: {0}")
    @ValueSource(strings = {"8", "7", "12", "14", "13, 8", "thirteen"})
    void answersAnotherVersionWith426ListingVersion13(String version) {
        HttpRequest request = upgrade();
        request.headers().set("Sec-WebSocket-Version", version);

        UpgradeOutcome.Reply reply = replied(request);

        assertThat(reply.reason()).isEqualTo(HttpReplyReason.UNSUPPORTED_WEBSOCKET_VERSION);
        assertThat(reply.reason().status()).isEqualTo(426);
        assertThat(reply.headers()).containsEntry("Sec-WebSocket-Version", "13");
    }

    @Test
    void answersTwoVersionHeadersWith426() {
        HttpRequest request = upgrade();
        request.headers().add("Sec-WebSocket-Version", "8");

        assertThat(reasonFor(request)).isEqualTo(HttpReplyReason.UNSUPPORTED_WEBSOCKET_VERSION);
    }

    @Test
    void answersAMissingVersionWith400() {
        HttpRequest request = upgrade();
        request.headers().remove("Sec-WebSocket-Version");

        assertThat(reasonFor(request)).isEqualTo(HttpReplyReason.MISSING_WEBSOCKET_VERSION);
        assertThat(HttpReplyReason.MISSING_WEBSOCKET_VERSION.status()).isEqualTo(400);
    }

    @ParameterizedTest(name = "Sec-WebSocket-Key: ''{0}''")
    @ValueSource(
            strings = {
                "dGhlIHNhbXBsZQ==",
                "dGhlIHNhbXBsZSBub25jZSE=",
                "dGhlIHNhbXBsZSBub25j*Q==",
                "not base64 at all!!!!!!=",
                ""
            })
    void answersABadKeyWith400(String key) {
        HttpRequest request = upgrade();
        request.headers().set("Sec-WebSocket-Key", key);

        assertThat(reasonFor(request)).isEqualTo(HttpReplyReason.INVALID_WEBSOCKET_KEY);
        assertThat(HttpReplyReason.INVALID_WEBSOCKET_KEY.status()).isEqualTo(400);
    }

    @Test
    void answersTwoKeysWith400() {
        HttpRequest request = upgrade();
        request.headers().add("Sec-WebSocket-Key", "AAAAAAAAAAAAAAAAAAAAAA==");

        assertThat(reasonFor(request)).isEqualTo(HttpReplyReason.INVALID_WEBSOCKET_KEY);
    }

    @Test
    void answersAMissingKeyWith400() {
        HttpRequest request = upgrade();
        request.headers().remove("Sec-WebSocket-Key");

        assertThat(reasonFor(request)).isEqualTo(HttpReplyReason.INVALID_WEBSOCKET_KEY);
    }

    @Test
    void answersAnUpgradeWithAContentLengthWith400() {
        HttpRequest request = upgrade();
        request.headers().set("Content-Length", "5");

        assertThat(reasonFor(request)).isEqualTo(HttpReplyReason.REQUEST_BODY_NOT_ALLOWED);
        assertThat(HttpReplyReason.REQUEST_BODY_NOT_ALLOWED.status()).isEqualTo(400);
    }

    @Test
    void answersAChunkedUpgradeWith400() {
        HttpRequest request = upgrade();
        request.headers().set("Transfer-Encoding", "chunked");

        assertThat(reasonFor(request)).isEqualTo(HttpReplyReason.REQUEST_BODY_NOT_ALLOWED);
    }

    @Test
    void acceptsAnUpgradeWithContentLengthZero() {
        HttpRequest request = upgrade();
        request.headers().set("Content-Length", "0");

        assertThat(accepted(request).accept()).isEqualTo(ACCEPT);
    }

    // ---- origins --------------------------------------------------------------------------------------------------

    @Test
    void answersAnOriginOutsideTheAllowListWith403() {
        validator = validator(b -> b.allowedOrigins(Set.of("https://example.com")));
        HttpRequest request = upgrade();
        request.headers().set("Origin", "https://evil.example");

        assertThat(reasonFor(request)).isEqualTo(HttpReplyReason.ORIGIN_NOT_ALLOWED);
        assertThat(HttpReplyReason.ORIGIN_NOT_ALLOWED.status()).isEqualTo(403);
    }

    @Test
    void comparesOriginsExactly() {
        validator = validator(b -> b.allowedOrigins(Set.of("https://example.com")));
        HttpRequest request = upgrade();
        request.headers().set("Origin", "https://example.com.evil.example");

        assertThat(reasonFor(request)).isEqualTo(HttpReplyReason.ORIGIN_NOT_ALLOWED);
    }

    @Test
    void acceptsAnAllowedOrigin() {
        validator = validator(b -> b.allowedOrigins(Set.of("https://example.com", "https://app.example.com")));
        HttpRequest request = upgrade();
        request.headers().set("Origin", "https://app.example.com");

        assertThat(accepted(request).accept()).isEqualTo(ACCEPT);
    }

    @Test
    void acceptsARequestWithoutOriginDespiteAnAllowList() {
        validator = validator(b -> b.allowedOrigins(Set.of("https://example.com")));

        assertThat(accepted(upgrade()).accept()).isEqualTo(ACCEPT);
    }

    @Test
    void acceptsEveryOriginWithoutAnAllowList() {
        HttpRequest request = upgrade();
        request.headers().set("Origin", "https://anywhere.example");

        assertThat(accepted(request).accept()).isEqualTo(ACCEPT);
    }

    // ---- subprotocols ---------------------------------------------------------------------------------------------

    @Test
    void choosesTheFirstSubprotocolInTheClientsOrderThatTheServerSpeaks() {
        validator = validator(b -> b.subprotocols(List.of("chat.v2", "chat.v1")));
        HttpRequest request = upgrade();
        request.headers().set("Sec-WebSocket-Protocol", "mqtt, chat.v1, chat.v2");

        assertThat(accepted(request).subprotocol()).isEqualTo("chat.v1");
    }

    @Test
    void looksForSubprotocolsAcrossHeaders() {
        validator = validator(b -> b.subprotocols(List.of("chat.v2")));
        HttpRequest request = upgrade();
        request.headers().add("Sec-WebSocket-Protocol", "mqtt").add("Sec-WebSocket-Protocol", "soap,chat.v2");

        assertThat(accepted(request).subprotocol()).isEqualTo("chat.v2");
    }

    @Test
    void acceptsWithoutASubprotocolWhenNoneMatches() {
        validator = validator(b -> b.subprotocols(List.of("chat.v2")));
        HttpRequest request = upgrade();
        request.headers().set("Sec-WebSocket-Protocol", "mqtt, Chat.V2");

        assertThat(accepted(request).subprotocol()).isNull();
    }

    @Test
    void choosesNoSubprotocolWhenTheServerSpeaksNone() {
        HttpRequest request = upgrade();
        request.headers().set("Sec-WebSocket-Protocol", "chat.v1");

        assertThat(accepted(request).subprotocol()).isNull();
    }

    // ---- paths and plain HTTP -------------------------------------------------------------------------------------

    @Test
    void answersAnUpgradeOnAnotherPathWith404() {
        validator = validator(b -> b.path("/ws"));

        assertThat(reasonFor(upgrade("/other"))).isEqualTo(HttpReplyReason.NOT_FOUND);
        assertThat(reasonFor(upgrade("/ws/deeper"))).isEqualTo(HttpReplyReason.NOT_FOUND);
        assertThat(HttpReplyReason.NOT_FOUND.status()).isEqualTo(404);
    }

    @Test
    void acceptsAnUpgradeOnThePathWhateverTheQuery() {
        validator = validator(b -> b.path("/ws"));

        UpgradeOutcome.Accept accept = accepted(upgrade("/ws?token=abc"));

        assertThat(accept.path()).isEqualTo("/ws?token=abc");
    }

    @ParameterizedTest(name = "{0} /healthz")
    @ValueSource(strings = {"GET", "HEAD"})
    void answersTheHealthCheckWith200(String method) {
        validator = validator(b -> b.path("/ws"));
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), "/healthz");

        assertThat(reasonFor(request)).isEqualTo(HttpReplyReason.HEALTHY);
        assertThat(HttpReplyReason.HEALTHY.status()).isEqualTo(200);
    }

    @Test
    void neverUpgradesTheHealthPath() { // as UpgradeValidator.HEALTH_PATH promises
        assertThat(reasonFor(upgrade(UpgradeValidator.HEALTH_PATH))).isEqualTo(HttpReplyReason.HEALTHY);
    }

    @Test
    void answersAPlainGetWith426NamingTheUpgrade() {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        request.headers().set("Host", "server.example.com");

        UpgradeOutcome.Reply reply = replied(request);

        assertThat(reply.reason()).isEqualTo(HttpReplyReason.UPGRADE_REQUIRED);
        assertThat(reply.reason().status()).isEqualTo(426);
        assertThat(reply.headers()).isEqualTo(Map.of("Upgrade", "websocket", "Sec-WebSocket-Version", "13"));
    }

    @Test
    void answersAPlainGetWithAConnectionUpgradeButNoUpgradeHeaderWith426() {
        HttpRequest request = upgrade();
        request.headers().remove("Upgrade");

        assertThat(reasonFor(request)).isEqualTo(HttpReplyReason.UPGRADE_REQUIRED);
    }

    @Test
    void answersAPlainGetOnAnotherPathWith404() {
        validator = validator(b -> b.path("/ws"));

        assertThat(reasonFor(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/index.html")))
                .isEqualTo(HttpReplyReason.NOT_FOUND);
    }

    @Test
    void answersAPlainPostWith405() {
        UpgradeOutcome.Reply reply = replied(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/"));

        assertThat(reply.reason()).isEqualTo(HttpReplyReason.METHOD_NOT_ALLOWED);
        assertThat(reply.headers()).containsEntry("Allow", "GET");
    }

    // ---- decoder failures -----------------------------------------------------------------------------------------

    private HttpReplyReason reasonForDecoderFailure(Throwable cause) {
        HttpRequest request = upgrade();
        request.setDecoderResult(DecoderResult.failure(cause));
        return reasonFor(request);
    }

    @Test
    void answersATooLongRequestLineWith414() {
        assertThat(reasonForDecoderFailure(new TooLongHttpLineException("line too long")))
                .isEqualTo(HttpReplyReason.REQUEST_LINE_TOO_LONG);
        assertThat(HttpReplyReason.REQUEST_LINE_TOO_LONG.status()).isEqualTo(414);
    }

    @Test
    void answersTooLargeHeadersWith431() {
        assertThat(reasonForDecoderFailure(new TooLongHttpHeaderException("headers too large")))
                .isEqualTo(HttpReplyReason.HEADERS_TOO_LARGE);
        assertThat(reasonForDecoderFailure(new TooLongFrameException("too long")))
                .isEqualTo(HttpReplyReason.HEADERS_TOO_LARGE);
        assertThat(HttpReplyReason.HEADERS_TOO_LARGE.status()).isEqualTo(431);
    }

    @Test
    void answersAnyOtherDecoderFailureWith400() {
        assertThat(reasonForDecoderFailure(new IllegalArgumentException("invalid version format")))
                .isEqualTo(HttpReplyReason.MALFORMED_REQUEST);
        assertThat(HttpReplyReason.MALFORMED_REQUEST.status()).isEqualTo(400);
    }

    @Test
    void answersADecoderFailureBeforeLookingAtTheRequest() {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/healthz");
        request.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("bad header")));

        assertThat(reasonFor(request)).isEqualTo(HttpReplyReason.MALFORMED_REQUEST);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Upgrade",
                "upgrade",
                "keep-alive, Upgrade",
                "Upgrade,keep-alive",
                " \tUPGRADE\t ",
                "a,,upgrade",
                "x, upgrade ,y"
            })
    void findsTheUpgradeTokenInACommaSeparatedConnectionHeader(String value) {
        HttpRequest request = withConnection(value);

        assertThat(accepted(request).accept()).isEqualTo(ACCEPT);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"", ",", "keep-alive", "upgrades", "up grade", "xupgrade", "upgrade-x, keep-alive", "\"upgrade\""
            })
    void findsNoUpgradeTokenWhereNoElementIsIt(String value) {
        HttpRequest request = withConnection(value);

        assertThat(reasonFor(request)).isEqualTo(HttpReplyReason.MISSING_CONNECTION_UPGRADE);
    }

    /** The §1.2 upgrade with this Connection value, unchecked (as a lenient parser might pass it on). */
    private static HttpRequest withConnection(String value) {
        HttpRequest request = new DefaultHttpRequest(
                HttpVersion.HTTP_1_1,
                HttpMethod.GET,
                "/chat",
                DefaultHttpHeadersFactory.headersFactory().withValidation(false).newHeaders());
        request.headers().set(upgrade().headers()).set("Connection", value);
        return request;
    }
}
