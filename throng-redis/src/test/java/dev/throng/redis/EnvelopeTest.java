package dev.throng.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The text nodes exchange publications in, read back as written, whatever the fields hold. */
class EnvelopeTest {

    @Test
    void readsBackWhatItWrote() {
        String text = Envelope.encode("node1", "123.456", "u|7\n", "client-move", "{\"x\":\"|\\n\"}");
        assertThat(text).isEqualTo("node1|7|4|11|123.456u|7\nclient-move{\"x\":\"|\\n\"}");
        assertThat(Envelope.decode(text))
                .isEqualTo(new Envelope("node1", "123.456", "u|7\n", "client-move", "{\"x\":\"|\\n\"}"));
    }

    @Test
    void tellsAbsentFieldsFromEmptyData() {
        Envelope e = Envelope.decode(Envelope.encode("n", null, null, "e", ""));
        assertThat(e.excluded()).isNull();
        assertThat(e.user()).isNull();
        assertThat(e.data()).isEmpty();
    }

    @Test
    void readsWhatTheScriptsWrite() {
        // lib.lua's envelope(origin, excluded, event, data): user always absent
        assertThat(Envelope.decode("abc|3|-1|28|1.2pusher_internal:member_added{\"user_id\":\"u\"}"))
                .isEqualTo(new Envelope("abc", "1.2", null, "pusher_internal:member_added", "{\"user_id\":\"u\"}"));
        assertThat(Envelope.decode("abc|-1|-1|30|pusher_internal:member_removed{}")
                        .excluded())
                .isNull();
    }

    @Test
    void keepsLengthsRightThroughRedisForUnpairedSurrogates() {
        String event = "e\uD800x";
        String text = Envelope.encode("n", null, "u\uDC00", event, "d\uD83D\uDE00");
        String throughRedis = new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
        Envelope e = Envelope.decode(throughRedis);
        assertThat(e.event()).isEqualTo("e?x");
        assertThat(e.user()).isEqualTo("u?");
        assertThat(e.data()).isEqualTo("d\uD83D\uDE00");
    }

    @Test
    void refusesWhatIsNotAnEnvelope() {
        assertThat(Envelope.decode("hello")).isNull();
        assertThat(Envelope.decode("n|x|-1|1|e")).isNull();
        assertThat(Envelope.decode("n|-1|-1|99|short")).isNull();
        assertThat(Envelope.decode("|-1|-1|1|e")).isNull();
    }

    @Test
    void aCacheEntryKeepsItsEventAndData() {
        String entry = Envelope.cacheEntry("last|one", "{\"a\":1}");
        assertThat(entry).isEqualTo("8|last|one{\"a\":1}");
        assertThat(Envelope.readCacheEntry(entry)).containsExactly("last|one", "{\"a\":1}");
        assertThat(Envelope.readCacheEntry("nope")).isNull();
    }
}
