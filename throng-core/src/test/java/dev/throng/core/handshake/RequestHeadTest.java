package dev.throng.core.handshake;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link RequestHead}: the HTTP request head parser of lean connections (RFC 9112 §2-§5). */
class RequestHeadTest {
    private static final int MAX_LINE = 100;
    private static final int MAX_HEADERS = 200;

    private static final String UPGRADE = "GET /chat?room=1 HTTP/1.1\r\n"
            + "Host: server.example.com\r\n"
            + "Upgrade: websocket\r\n"
            + "Connection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            + "Sec-WebSocket-Version: 13\r\n"
            + "\r\n";

    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }

    private static HttpRequest parse(ByteBuf in) {
        return RequestHead.parse(in, MAX_LINE, MAX_HEADERS);
    }

    @Test
    void parsesTheOpeningHandshakeOfRfc6455() {
        ByteBuf in = bytes(UPGRADE);
        HttpRequest request = parse(in);
        assertThat(request.decoderResult().isSuccess()).isTrue();
        assertThat(request.method()).isEqualTo(HttpMethod.GET);
        assertThat(request.uri()).isEqualTo("/chat?room=1");
        assertThat(request.protocolVersion()).isEqualTo(HttpVersion.HTTP_1_1);
        assertThat(request.headers().get("host")).isEqualTo("server.example.com");
        assertThat(request.headers().get("Sec-WebSocket-Key")).isEqualTo("dGhlIHNhbXBsZSBub25jZQ==");
        assertThat(request.headers().size()).isEqualTo(5);
        assertThat(in.isReadable()).as("the whole head is consumed").isFalse();
        in.release();
    }

    @Test
    void leavesTheBytesAfterTheHeadForTheWebSocketParser() {
        ByteBuf in = bytes(UPGRADE + "\u0081\u0085frame");
        assertThat(parse(in).decoderResult().isSuccess()).isTrue();
        assertThat(in.toString(StandardCharsets.ISO_8859_1)).isEqualTo("\u0081\u0085frame");
        in.release();
    }

    @Test
    void returnsNullUntilTheHeadIsComplete() {
        for (int cut = 0; cut < UPGRADE.length(); cut++) {
            ByteBuf in = bytes(UPGRADE.substring(0, cut));
            assertThat(parse(in)).as("after %d bytes", cut).isNull();
            in.release();
        }
    }

    @Test
    void skipsEmptyLinesBeforeTheRequestLine() {
        ByteBuf in = bytes("\r\n\r\n" + UPGRADE);
        assertThat(parse(in).uri()).isEqualTo("/chat?room=1");
        in.release();
    }

    @Test
    void consumesLeadingEmptyLinesEvenWhenIncomplete() {
        ByteBuf in = bytes("\r\n\r\nGET / HT");
        assertThat(parse(in)).isNull();
        assertThat(in.toString(StandardCharsets.ISO_8859_1)).isEqualTo("GET / HT");
        in.release();
    }

    @Test
    void trimsOptionalWhitespaceAroundValuesAndKeepsRepeatedFields() {
        ByteBuf in = bytes("GET / HTTP/1.1\r\nX-A: \t one \t\r\nX-A:two\r\nEmpty:\r\n\r\n");
        HttpRequest request = parse(in);
        assertThat(request.headers().getAll("x-a")).containsExactly("one", "two");
        assertThat(request.headers().get("Empty")).isEmpty();
        in.release();
    }

    @Test
    void answersARequestLineOverTheLimitWith414EvenBeforeItEnds() {
        ByteBuf in = bytes("GET /" + "a".repeat(MAX_LINE));
        assertThat(parse(in).decoderResult().cause()).isInstanceOf(TooLongHttpLineException.class);
        in.release();
    }

    @Test
    void answersHeadersOverTheLimitWith431EvenBeforeTheyEnd() {
        ByteBuf in = bytes("GET / HTTP/1.1\r\nX-Filler: " + "f".repeat(MAX_HEADERS));
        assertThat(parse(in).decoderResult().cause()).isInstanceOf(TooLongHttpHeaderException.class);
        in.release();
        ByteBuf many = bytes("GET / HTTP/1.1\r\n" + "X-A: b\r\n".repeat(MAX_HEADERS / 6 + 1) + "\r\n");
        assertThat(parse(many).decoderResult().cause()).isInstanceOf(TooLongHttpHeaderException.class);
        many.release();
    }

    @Test
    void acceptsAHeadExactlyAtTheLimits() {
        String line = "GET /" + "a".repeat(MAX_LINE - "GET / HTTP/1.1".length()) + " HTTP/1.1";
        String header = "X: " + "v".repeat(MAX_HEADERS - 3);
        assertThat(line).hasSize(MAX_LINE);
        ByteBuf in = bytes(line + "\r\n" + header + "\r\n\r\n");
        assertThat(parse(in).decoderResult().isSuccess()).isTrue();
        in.release();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "GET /\r\nHost: x\r\n\r\n", // two parts
                "GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n", // four parts
                "G(T / HTTP/1.1\r\nHost: x\r\n\r\n", // method not a token
                "GET /a\u0001b HTTP/1.1\r\nHost: x\r\n\r\n", // control character in the target
                "GET / HTTP/one\r\nHost: x\r\n\r\n", // version syntax
                "GET / FOO/1.1\r\nHost: x\r\n\r\n", // not HTTP
                "GET / HTTP/1.1\r\r\nHost: x\r\n\r\n", // a stray CR
                "GET / HTTP/1.1\nHost: x\r\n\r\n", // a bare LF ending the request line
                "GET / HTTP/1.1\r\nHost: x\n\r\n", // ... a field line
                "GET / HTTP/1.1\r\nHost: x\r\n\n", // ... the head
                "GET / HTTP/1.1\r\nHost : x\r\n\r\n", // whitespace before the colon (RFC 9112 §5.1)
                "GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", // obs-fold (§5.2)
                "GET / HTTP/1.1\r\nNo colon here\r\n\r\n", // not a field
                "GET / HTTP/1.1\r\n: empty name\r\n\r\n", // empty name
                "GET / HTTP/1.1\r\nX-A: nul\u0000here\r\n\r\n", // control character in a value
                "GET / HTTP/1.1\r\nTransfer-Encoding: kchunked\r\n\r\n", // final coding not chunked (RFC 9112 §6.3)
                "GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", // both
                "GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", // chunked twice
                "GET / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", // two lengths
                "GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", // not a decimal number
                "\u0016\u0003\u0001 this is not HTTP \u00ff\r\n\r\n" // TLS bytes
            })
    void refusesMalformedHeadsWith400(String head) {
        ByteBuf in = bytes(head);
        HttpRequest request = parse(in);
        assertThat(request.decoderResult().isFailure()).isTrue();
        assertThat(request.decoderResult().cause())
                .isNotInstanceOf(TooLongHttpLineException.class)
                .isNotInstanceOf(TooLongHttpHeaderException.class);
        in.release();
    }

    @Test
    void buildsNoStackTraceForARefusedRequest() {
        String[] refused = {
            "GET / HTTP/1.1\nHost: x\r\n\r\n", // malformed: 400
            "GET /" + "a".repeat(MAX_LINE), // request line too long: 414
            "GET / HTTP/1.1\r\nX-Filler: " + "f".repeat(MAX_HEADERS) // headers too large: 431
        };
        for (String head : refused) {
            ByteBuf in = bytes(head);
            Throwable cause = parse(in).decoderResult().cause();
            assertThat(cause).isNotNull();
            assertThat(cause.getStackTrace())
                    .as("%s: a flood of bad requests costs no stack walks", cause)
                    .isEmpty();
            in.release();
        }
    }

    @Test
    void passesChunkedAndContentLengthThroughForTheValidatorToRefuse() {
        ByteBuf in = bytes("GET / HTTP/1.1\r\nTransfer-Encoding: gzip, Chunked\r\n\r\nbody");
        assertThat(parse(in).headers().get("Transfer-Encoding")).isEqualTo("gzip, Chunked");
        in.release();
        ByteBuf length = bytes("GET / HTTP/1.1\r\nContent-Length: 4\r\n\r\nbody");
        assertThat(parse(length).headers().get("Content-Length")).isEqualTo("4");
        length.release();
    }

    @Test
    void givesTheValidatorWhatItNeedsToAnswerHead() {
        ByteBuf in = bytes("HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(parse(in).method()).isEqualTo(HttpMethod.HEAD);
        in.release();
    }
}
