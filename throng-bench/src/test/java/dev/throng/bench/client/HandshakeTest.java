package dev.throng.bench.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.throng.bench.plan.TargetUrl;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HandshakeTest {

    /** RFC 6455 §1.3's example. */
    private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

    private static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    private static String response(String statusLine, String... headers) {
        return statusLine + "\r\n" + String.join("\r\n", headers) + "\r\n\r\n";
    }

    @Test
    void computesTheAcceptOfTheRfcExample() {
        assertThat(HandshakeRequest.acceptFor(KEY, HandshakeRequest.sha1())).isEqualTo(ACCEPT);
    }

    @Test
    void keysAreSixteenBytesOfBase64() {
        assertThat(HandshakeRequest.newKey(new Random(1))).hasSize(24).endsWith("==");
    }

    @Test
    void writesTheRequestWithHostPortAndKey() {
        ByteBuf b = new HandshakeRequest(TargetUrl.parse("ws://127.0.0.1:9000/a?b=c"))
                .encode(ByteBufAllocator.DEFAULT, KEY);
        try {
            assertThat(b.toString(StandardCharsets.US_ASCII))
                    .isEqualTo("GET /a?b=c HTTP/1.1\r\n"
                            + "Host: 127.0.0.1:9000\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " + KEY + "\r\n\r\n");
        } finally {
            b.release();
        }
    }

    @Test
    void acceptsAValid101WithHeadersInAnyCase() {
        HandshakeResponse.Verdict v = HandshakeResponse.check(
                response(
                        "HTTP/1.1 101 Switching Protocols",
                        "upgrade: WebSocket",
                        "CONNECTION: keep-alive, Upgrade",
                        "sec-websocket-accept: " + ACCEPT),
                ACCEPT);
        assertThat(v.ok()).isTrue();
    }

    @Test
    void aNon101StatusFailsWithItsCode() {
        HandshakeResponse.Verdict v =
                HandshakeResponse.check(response("HTTP/1.1 503 Service Unavailable", "Retry-After: 1"), ACCEPT);
        assertThat(v.failure()).isEqualTo("http-503");
        assertThat(v.status()).isEqualTo(503);
    }

    @Test
    void aWrongAcceptFails() {
        HandshakeResponse.Verdict v = HandshakeResponse.check(
                response(
                        "HTTP/1.1 101 Switching Protocols",
                        "Upgrade: websocket",
                        "Connection: Upgrade",
                        "Sec-WebSocket-Accept: x3JJHMbDL1EzLkh9GBhXDw=="),
                ACCEPT);
        assertThat(v.failure()).isEqualTo("handshake-invalid");
    }

    @Test
    void aMissingUpgradeHeaderFails() {
        HandshakeResponse.Verdict v = HandshakeResponse.check(
                response("HTTP/1.1 101 Switching Protocols", "Connection: Upgrade", "Sec-WebSocket-Accept: " + ACCEPT),
                ACCEPT);
        assertThat(v.failure()).isEqualTo("handshake-invalid");
    }

    @Test
    void anExtensionWeDidNotOfferFails() {
        HandshakeResponse.Verdict v = HandshakeResponse.check(
                response(
                        "HTTP/1.1 101 Switching Protocols",
                        "Upgrade: websocket",
                        "Connection: Upgrade",
                        "Sec-WebSocket-Accept: " + ACCEPT,
                        "Sec-WebSocket-Extensions: permessage-deflate"),
                ACCEPT);
        assertThat(v.failure()).isEqualTo("handshake-invalid");
    }

    @Test
    void garbageIsInvalid() {
        assertThat(HandshakeResponse.check("SSH-2.0-OpenSSH\r\n\r\n", ACCEPT).failure())
                .isEqualTo("handshake-invalid");
    }

    @Test
    void findsTheEndOfTheHeadOnlyOnceComplete() {
        ByteBuf partial = Unpooled.copiedBuffer("HTTP/1.1 101 OK\r\nA: b\r\n\r", StandardCharsets.US_ASCII);
        ByteBuf whole = Unpooled.copiedBuffer("HTTP/1.1 101 OK\r\nA: b\r\n\r\n\u0081", StandardCharsets.ISO_8859_1);
        try {
            assertThat(HandshakeResponse.headLength(partial)).isEqualTo(-1);
            assertThat(HandshakeResponse.headLength(whole)).isEqualTo(whole.readableBytes() - 1);
        } finally {
            partial.release();
            whole.release();
        }
    }
}
