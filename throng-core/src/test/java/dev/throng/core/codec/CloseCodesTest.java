package dev.throng.core.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** The close code rules of RFC 6455 §7.4 and the table of {@link CloseReason}s. */
class CloseCodesTest {

    @ParameterizedTest(name = "{0} received: {1}, sent: {2} ({3})")
    @CsvSource({
        "0, false, false, never assigned",
        "999, false, false, below the range",
        "1000, true, true, normal closure",
        "1001, true, true, going away",
        "1002, true, true, protocol error",
        "1003, true, true, unsupported data",
        "1004, false, false, reserved",
        "1005, false, false, no status: never on the wire",
        "1006, false, false, abnormal: never on the wire",
        "1007, true, true, invalid payload data",
        "1008, true, true, policy violation",
        "1009, true, true, message too big",
        "1010, true, true, mandatory extension",
        "1011, true, true, internal error",
        "1012, false, true, service restart (IANA; rejected as Autobahn 7.9.6 expects)",
        "1013, false, true, try again later (IANA; rejected as Autobahn 7.9.7 expects)",
        "1014, false, true, bad gateway (IANA; rejected as Autobahn 7.9.8 expects)",
        "1015, false, false, TLS failure: never on the wire",
        "1016, false, false, unassigned",
        "1100, false, false, unassigned",
        "2000, false, false, reserved for extensions",
        "2999, false, false, reserved for extensions",
        "3000, true, true, first IANA-registered",
        "3999, true, true, last IANA-registered",
        "4000, true, true, first private use",
        "4999, true, true, last private use",
        "5000, false, false, above private use",
        "65535, false, false, largest 16-bit value",
        "-1, false, false, not a 16-bit value"
    })
    void judgesReceivedAndSentCodesByRfc6455Section7_4(int code, boolean received, boolean sent, String what) {
        assertThat(CloseCodes.isValidReceived(code)).as("valid received").isEqualTo(received);
        assertThat(CloseCodes.isValidToSend(code)).as("valid to send").isEqualTo(sent);
    }

    @Test
    void namesTheCodesThatNeverAppearOnTheWire() {
        assertThat(CloseCodes.NO_STATUS).isEqualTo(1005);
        assertThat(CloseCodes.ABNORMAL).isEqualTo(1006);
        assertThat(CloseCodes.isValidToSend(CloseCodes.NO_STATUS)).isFalse();
        assertThat(CloseCodes.isValidToSend(CloseCodes.ABNORMAL)).isFalse();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "UNMASKED_FRAME, 1002",
        "RESERVED_BITS_SET, 1002",
        "RSV1_WITHOUT_EXTENSION, 1002",
        "RSV1_NOT_ON_FIRST_DATA_FRAME, 1002",
        "UNKNOWN_OPCODE, 1002",
        "CONTROL_FRAME_TOO_LONG, 1002",
        "FRAGMENTED_CONTROL_FRAME, 1002",
        "CONTINUATION_WITHOUT_START, 1002",
        "NEW_MESSAGE_DURING_FRAGMENTED, 1002",
        "LENGTH_MSB_SET, 1002",
        "CLOSE_PAYLOAD_TOO_SHORT, 1002",
        "INVALID_CLOSE_CODE, 1002",
        "INVALID_UTF8, 1007",
        "INVALID_COMPRESSED_DATA, 1007",
        "FRAME_TOO_LARGE, 1009",
        "MESSAGE_TOO_LARGE, 1009",
        "OVER_MEMORY_BUDGET, 1009",
        "HANDLER_ERROR, 1011",
        "INTERNAL_ERROR, 1011",
        "PONG_TIMEOUT, 1006",
        "WRITE_TIMEOUT, 1006",
        "SLOW_CONSUMER, 1013",
        "OUT_OF_MEMORY, 1013",
        "MEMORY_WAIT_TIMEOUT, 1013",
        "GOING_AWAY, 1001",
        "IDLE_TIMEOUT, 1000",
        "NORMAL, 1000"
    })
    void mapsEveryCloseReasonToItsDocumentedCode(String id, int code) {
        CloseReason reason = CloseReason.valueOf(id);

        assertThat(reason.code()).isEqualTo(code);
        assertThat(reason.id()).isEqualTo(id);
    }

    @Test
    void listsEveryCloseReasonInTheTable() {
        assertThat(CloseReason.values()).hasSize(27);
    }

    @ParameterizedTest
    @EnumSource(
            value = CloseReason.class,
            mode = EnumSource.Mode.EXCLUDE,
            names = {"PONG_TIMEOUT", "WRITE_TIMEOUT"})
    void sendsOnlyCodesThatMayBeSent(CloseReason reason) {
        assertThat(CloseCodes.isValidToSend(reason.code())).isTrue();
    }

    @Test
    void neverSendsTheCodeOfADeadPeer() {
        // A peer that does not answer pings, or takes nothing of what is queued for it, gets no close frame: the
        // connection is dropped (1006 locally).
        assertThat(CloseReason.PONG_TIMEOUT.code()).isEqualTo(CloseCodes.ABNORMAL);
        assertThat(CloseReason.WRITE_TIMEOUT.code()).isEqualTo(CloseCodes.ABNORMAL);
    }

    @Test
    void fitsEveryIdIntoACloseFrameReason() {
        assertThat(Arrays.stream(CloseReason.values())
                        .mapToInt(r -> r.id().length())
                        .max()
                        .orElseThrow())
                .isLessThanOrEqualTo(123);
    }
}
