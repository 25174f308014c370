package dev.throng.core.handshake;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Choosing a permessage-deflate offer (RFC 7692 §5 and §7) from Sec-WebSocket-Extensions values. */
class DeflateNegotiatorTest {
    private static final String BASE = "permessage-deflate; server_no_context_takeover; client_no_context_takeover";

    private static DeflateAgreement negotiate(String... headerValues) {
        return DeflateNegotiator.negotiate(List.of(headerValues));
    }

    @Test
    void acceptsAPlainOfferWithNoContextTakeoverBothWays() {
        DeflateAgreement agreement = negotiate("permessage-deflate");

        assertThat(agreement.responseHeader()).isEqualTo(BASE);
        assertThat(agreement.serverMaxWindowBits()).isEqualTo(15);
    }

    @Test
    void acceptsTheOfferBrowsersSend() {
        DeflateAgreement agreement = negotiate("permessage-deflate; client_max_window_bits");

        assertThat(agreement.responseHeader()).isEqualTo(BASE);
        assertThat(agreement.serverMaxWindowBits()).isEqualTo(15);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "permessage-deflate; server_no_context_takeover",
                "permessage-deflate; client_no_context_takeover",
                "permessage-deflate; server_no_context_takeover; client_no_context_takeover; client_max_window_bits=12",
                "permessage-deflate;client_max_window_bits=15",
                "PerMessage-Deflate; Client_Max_Window_Bits",
                "permessage-deflate ;\tclient_max_window_bits = 9 ",
                "permessage-deflate; client_max_window_bits=\"8\""
            })
    void acceptsWellFormedOffersOfKnownParameters(String offer) {
        DeflateAgreement agreement = negotiate(offer);

        assertThat(agreement).isNotNull();
        assertThat(agreement.responseHeader()).isEqualTo(BASE);
    }

    @ParameterizedTest(name = "server_max_window_bits={0}")
    @ValueSource(ints = {8, 9, 10, 11, 12, 13, 14, 15})
    void honoursServerMaxWindowBitsAndAnswersWithIt(int bits) {
        DeflateAgreement agreement = negotiate("permessage-deflate; server_max_window_bits=" + bits);

        assertThat(agreement.serverMaxWindowBits()).isEqualTo(bits);
        assertThat(agreement.responseHeader()).isEqualTo(BASE + "; server_max_window_bits=" + bits);
    }

    @Test
    void acceptsAQuotedValue() {
        DeflateAgreement agreement = negotiate("permessage-deflate; server_max_window_bits=\"10\"");

        assertThat(agreement.serverMaxWindowBits()).isEqualTo(10);
        assertThat(agreement.responseHeader()).endsWith("; server_max_window_bits=10");
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(
            strings = {
                "permessage-deflate; server_max_window_bits=7",
                "permessage-deflate; server_max_window_bits=16",
                "permessage-deflate; server_max_window_bits=010",
                "permessage-deflate; server_max_window_bits=08",
                "permessage-deflate; server_max_window_bits=abc",
                "permessage-deflate; server_max_window_bits=+9",
                "permessage-deflate; server_max_window_bits=",
                "permessage-deflate; server_max_window_bits",
                "permessage-deflate; server_max_window_bits=\"\"",
                "permessage-deflate; server_max_window_bits=\"10",
                "permessage-deflate; client_max_window_bits=7",
                "permessage-deflate; client_max_window_bits=16",
                "permessage-deflate; client_max_window_bits=abc",
                "permessage-deflate; client_max_window_bits=",
                "permessage-deflate; server_no_context_takeover=1",
                "permessage-deflate; client_no_context_takeover=true",
                "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
                "permessage-deflate; client_no_context_takeover; client_no_context_takeover",
                "permessage-deflate; server_max_window_bits=10; server_max_window_bits=10",
                "permessage-deflate; client_max_window_bits; client_max_window_bits",
                "permessage-deflate; mux",
                "permessage-deflate; x-webkit-deflate-frame",
                "permessage-deflate; ; client_max_window_bits",
                "permessage-deflate client_max_window_bits",
                "x-webkit-deflate-frame",
                "deflate-frame",
                "",
                ", ,"
            })
    void declinesAnOfferWithAnInvalidUnknownOrRepeatedParameter(String offer) {
        assertThat(negotiate(offer)).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "permessage-deflate; server_max_window_bits=7, permessage-deflate | " + BASE,
                "permessage-deflate; unknown, permessage-deflate; server_max_window_bits=11 | " + BASE
                        + "; server_max_window_bits=11",
                "permessage-deflate; client_max_window_bits=16, permessage-deflate; client_max_window_bits | " + BASE,
                "permessage-deflate; server_max_window_bits=\"1,0\", permessage-deflate | " + BASE
            })
    void takesTheNextOfferWhenOneIsDeclined(String header, String response) {
        assertThat(negotiate(header).responseHeader()).isEqualTo(response);
    }

    @Test
    void takesTheFirstAcceptableOfferInTheClientsOrder() {
        DeflateAgreement agreement = negotiate(
                "permessage-deflate; server_max_window_bits=9, permessage-deflate; server_max_window_bits=12");

        assertThat(agreement.serverMaxWindowBits()).isEqualTo(9);
    }

    @Test
    void looksAcrossSeveralHeaders() {
        DeflateAgreement agreement =
                negotiate("permessage-deflate; bogus", "x-foo", "permessage-deflate; server_max_window_bits=13");

        assertThat(agreement.serverMaxWindowBits()).isEqualTo(13);
    }

    @Test
    void ignoresOtherExtensions() {
        DeflateAgreement agreement = negotiate("x-webkit-deflate-frame; no_context_takeover, foo; bar=\"baz\","
                + " permessage-deflate; client_max_window_bits, permessage-bzip2");

        assertThat(agreement.responseHeader()).isEqualTo(BASE);
    }

    @Test
    void doesNotLetJunkInAnotherExtensionPoisonTheOffer() {
        assertThat(negotiate("foo; a=\"unterminated, permessage-deflate")).isNull(); // one quoted string to the end
        assertThat(negotiate("foo @ junk, permessage-deflate")).isNotNull();
    }

    @Test
    void negotiatesNothingWithoutHeaders() {
        assertThat(DeflateNegotiator.negotiate(List.of())).isNull();
    }

    @Test
    void parsesQuotedStringsWithEscapes() {
        List<List<String[]>> extensions = DeflateNegotiator.parseExtensions("a; b=\"x\\\"y\"; c, d");

        assertThat(extensions).hasSize(2);
        assertThat(extensions.get(0)).hasSize(3);
        assertThat(extensions.get(0).get(1)).containsExactly("b", "x\"y");
        assertThat(extensions.get(0).get(2)).containsExactly("c", null);
        assertThat(extensions.get(1).get(0)).containsExactly("d", null);
    }

    @Test
    void alwaysAnswersWithNoContextTakeoverBothWays() {
        for (String offer : List.of(
                "permessage-deflate",
                "permessage-deflate; server_max_window_bits=8",
                "permessage-deflate; client_max_window_bits=10; server_no_context_takeover")) {
            assertThat(negotiate(offer).responseHeader())
                    .as(offer)
                    .contains("server_no_context_takeover")
                    .contains("client_no_context_takeover");
        }
    }
}
