package dev.throng.core.handshake;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Sec-WebSocket-Key and Sec-WebSocket-Accept (RFC 6455 §4.2.1, §4.2.2). */
class AcceptKeyTest {

    @Test
    void computesTheRfcSample() { // RFC 6455 §1.3
        assertThat(AcceptKey.accept("dGhlIHNhbXBsZSBub25jZQ==")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }

    @Test
    void computesTheSameValueEveryTime() {
        // The digest is reused per thread: a leftover from one call must not leak into the next.
        String first = AcceptKey.accept("x3JJHMbDL1EzLkh9GBhXDw==");

        assertThat(AcceptKey.accept("x3JJHMbDL1EzLkh9GBhXDw=="))
                .isEqualTo(first)
                .isEqualTo("HSmrc0sMlYUkAGmm5OPpG2HaGWk=");
    }

    @ParameterizedTest(name = "{1}: ''{0}''")
    @CsvSource({
        "dGhlIHNhbXBsZSBub25jZQ==, true, the RFC sample",
        "AAAAAAAAAAAAAAAAAAAAAA==, true, sixteen zero bytes",
        "+/+/+/+/+/+/+/+/+/+/+w==, true, the two symbols",
        "dGhlIHNhbXBsZQ==, false, ten bytes",
        "dGhlIHNhbXBsZSBub25jZSE=, false, seventeen bytes",
        "dGhlIHNhbXBsZSBub25jZQ, false, unpadded",
        "dGhlIHNhbXBsZSBub25j*Q==, false, not base64",
        "dGhlIHNhbXBsZSBub25j-Q==, false, base64url",
        "'dGhlIHNhbXBsZSBub25jZQ== ', false, trailing space",
        "'', false, empty"
    })
    void acceptsOnlyPaddedBase64OfSixteenBytes(String key, boolean valid, String what) {
        assertThat(AcceptKey.isValidKey(key)).isEqualTo(valid);
    }

    @Test
    void rejectsAMissingKey() {
        assertThat(AcceptKey.isValidKey(null)).isFalse();
    }

    @Test
    void acceptsWhatAClientGenerates() {
        byte[] nonce = new byte[16];
        new Random(1).nextBytes(nonce);

        assertThat(AcceptKey.isValidKey(Base64.getEncoder().encodeToString(nonce)))
                .isTrue();
    }
}
