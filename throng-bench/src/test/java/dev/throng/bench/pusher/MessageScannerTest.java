package dev.throng.bench.pusher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MessageScannerTest {

    private final MessageScanner scanner = new MessageScanner("bench", "bench-");

    private static byte[] buf(String s) {
        // Offset inside a larger array, to prove the bounds are respected.
        return ("ws-header" + s + "next-frame").getBytes(StandardCharsets.UTF_8);
    }

    private int kind(String message) {
        return scanner.kind(buf(message), 9, 9 + message.length());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"event\":\"pusher:connection_established\",\"data\":\"{\\\"socket_id\\\":\\\"1.2\\\"}\"}|2",
                "{\"event\":\"pusher_internal:subscription_succeeded\",\"data\":\"{}\",\"channel\":\"bench-3\"}|3",
                "{\"event\":\"pusher_internal:subscription_succeeded\",\"channel\":\"bench-3\"}|3",
                "{\"event\":\"pusher:ping\",\"data\":{}}|4",
                "{\"event\":\"pusher:error\",\"data\":{\"code\":null,\"message\":\"x\"}}|5",
                "{\"event\":\"pusher:pong\",\"data\":\"{}\"}|6",
                "{\"event\":\"benchmark\",\"data\":\"{}\"}|6",
                "{\"event\": \"bench\",\"data\":\"{}\"}|1",
                "{\"data\":\"{}\"}|0",
            })
    void tellsMessagesApartByTheirEvent(String message, int kind) {
        assertThat(kind(message)).isEqualTo(kind);
    }

    @Test
    void readsAnEventAsThrongSendsIt() { // event, data (a JSON string), channel
        String data = EventData.of(1733350000123456L, 42, 3, 256);
        String message = "{\"event\":\"bench\",\"data\":" + quote(data) + ",\"channel\":\"bench-17\"}";
        byte[] b = buf(message);
        int to = 9 + message.length();
        assertThat(scanner.kind(b, 9, to)).isEqualTo(MessageScanner.BENCH_EVENT);
        assertThat(scanner.channel(b, 9, to)).isEqualTo(17);
        assertThat(scanner.readData(b, 9, to)).isTrue();
        assertThat(scanner.time).isEqualTo(1733350000123456L);
        assertThat(scanner.seq).isEqualTo(42);
        assertThat(scanner.step).isEqualTo(3);
    }

    @Test
    void readsAnEventAsSoketiSendsIt() { // event, channel, data
        String data = EventData.of(99, 1, 0, 1024);
        String message = "{\"event\":\"bench\",\"channel\":\"bench-0\",\"data\":" + quote(data) + "}";
        byte[] b = buf(message);
        int to = 9 + message.length();
        assertThat(scanner.channel(b, 9, to)).isZero();
        assertThat(scanner.readData(b, 9, to)).isTrue();
        assertThat(scanner.time).isEqualTo(99);
        assertThat(scanner.seq).isEqualTo(1);
    }

    @Test
    void readsDataSentAsAnObject() {
        String message = "{\"event\":\"bench\",\"channel\":\"bench-5\",\"data\":" + EventData.of(7, 8, 9, 64) + "}";
        byte[] b = buf(message);
        assertThat(scanner.readData(b, 9, 9 + message.length())).isTrue();
        assertThat(scanner.seq).isEqualTo(8);
        assertThat(scanner.step).isEqualTo(9);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"event\":\"bench\",\"channel\":\"other-5\"}",
                "{\"event\":\"bench\",\"channel\":\"bench-\"}",
                "{\"event\":\"bench\",\"channel\":\"bench-5x\"}",
                "{\"event\":\"bench\"}",
            })
    void aChannelOutsideThePlanReadsAsMinusOne(String message) {
        assertThat(scanner.channel(buf(message), 9, 9 + message.length())).isEqualTo(-1);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"event\":\"bench\",\"data\":\"hello\"}",
                "{\"event\":\"bench\",\"data\":\"{\\\"s\\\":1,\\\"t\\\":2,\\\"k\\\":0}\"}",
                "{\"event\":\"bench\",\"data\":\"{\\\"t\\\":1,\\\"s\\\":2,\\\"k\\\":0",
                "{\"event\":\"bench\"}",
            })
    void dataOfAnotherShapeIsNotRead(String message) {
        assertThat(scanner.readData(buf(message), 9, 9 + message.length())).isFalse();
    }

    @Test
    void readsTheActivityTimeoutOfTheHandshake() {
        String message = "{\"event\":\"pusher:connection_established\",\"data\":\"{\\\"socket_id\\\":\\\"123.456\\\","
                + "\\\"activity_timeout\\\":120}\"}";
        assertThat(scanner.activityTimeout(buf(message), 9, 9 + message.length()))
                .isEqualTo(120);
    }

    @Test
    void eventDataHasExactlyTheRequestedSize() {
        assertThat(EventData.of(1733350000123456L, 1, 0, 256)).hasSize(256).startsWith("{\"t\":1733350000123456,");
        assertThat(EventData.of(1733350000123456L, 1234567890, 12, 1024))
                .hasSize(1024)
                .endsWith("xx\"}");
        assertThat(EventData.of(Long.MAX_VALUE / 1000, 9_999_999_999L, 9999, EventData.MIN_SIZE))
                .hasSizeLessThanOrEqualTo(EventData.MIN_SIZE);
    }

    private static String quote(String s) {
        return "\"" + s.replace("\"", "\\\"") + "\"";
    }
}
