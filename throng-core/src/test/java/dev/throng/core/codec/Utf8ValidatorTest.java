package dev.throng.core.codec;

import static dev.throng.core.codec.Frames.concat;
import static dev.throng.core.codec.Frames.hex;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Utf8Validator} against Markus Kuhn's UTF-8 stress test (as the Autobahn|Testsuite's 6.x cases use it), its
 * incremental and masked forms, and the JDK's own strict decoder.
 */
class Utf8ValidatorTest {
    private static final int MASK = 0x37fa213d;

    // ---- drivers ------------------------------------------------------------------------------------------------

    private static int validate(byte[] bytes) {
        return validate(Utf8Validator.ACCEPT, bytes);
    }

    private static int validate(int state, byte[] bytes) {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        try {
            return Utf8Validator.validate(state, buf);
        } finally {
            buf.release();
        }
    }

    private static boolean isValid(byte[] bytes) {
        return validate(bytes) == Utf8Validator.ACCEPT;
    }

    /** Validates {@code bytes} masked with {@code mask} (as a frame payload at {@code offset} in its buffer). */
    private static int validateMasked(int state, byte[] bytes, int mask, int offset) {
        byte[] wire = new byte[offset + bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            wire[offset + i] = (byte) (bytes[i] ^ (mask >>> (24 - 8 * (i & 3))));
        }
        ByteBuf buf = Unpooled.wrappedBuffer(wire);
        try {
            return Utf8Validator.validate(state, buf, offset, bytes.length, mask);
        } finally {
            buf.release();
        }
    }

    /** The JDK's verdict: a UTF-8 decoder that reports (rather than replaces) malformed input. */
    private static boolean jdkAccepts(CharsetDecoder decoder, byte[] bytes) {
        // decode(in, out, true) reports instead of throwing: millions of inputs are judged here.
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        decoder.reset();
        return !decoder.decode(ByteBuffer.wrap(bytes), out, true).isError()
                && !decoder.flush(out).isError();
    }

    private static CharsetDecoder strictDecoder() {
        return StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    // ---- the stress test ------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "Autobahn {0}")
    @MethodSource("dev.throng.core.codec.Utf8Cases#arguments")
    void judgesEveryKuhnStressCaseAsTheTestsuiteExpects(String id, byte[] bytes, boolean valid) {
        assertThat(isValid(bytes)).isEqualTo(valid);
    }

    @ParameterizedTest(name = "Autobahn {0}")
    @MethodSource("dev.throng.core.codec.Utf8Cases#arguments")
    void judgesEveryKuhnStressCaseBehindAsciiAsTheTestsuiteExpects(String id, byte[] bytes, boolean valid) {
        // 19 ASCII bytes first: the eight-at-a-time fast path runs, then hands over mid-word.
        byte[] text = concat("plain ascii prefix ".getBytes(StandardCharsets.US_ASCII), bytes);

        assertThat(isValid(text)).isEqualTo(valid);
    }

    @ParameterizedTest(name = "Autobahn {0}")
    @MethodSource("dev.throng.core.codec.Utf8Cases#arguments")
    void judgesEveryKuhnStressCaseAsTheJdkDoes(String id, byte[] bytes, boolean valid) {
        assertThat(jdkAccepts(strictDecoder(), bytes))
                .as("the JDK agrees with the testsuite")
                .isEqualTo(valid);
        assertThat(isValid(bytes)).isEqualTo(valid);
    }

    @ParameterizedTest(name = "Autobahn {0}")
    @MethodSource("dev.throng.core.codec.Utf8Cases#arguments")
    void reachesTheSameStateWhereverTheInputIsSplit(String id, byte[] bytes, boolean valid) {
        int oneShot = validate(bytes);
        for (int cut = 0; cut <= bytes.length; cut++) {
            for (int cut2 = cut; cut2 <= bytes.length; cut2++) {
                int state = validate(Utf8Validator.ACCEPT, Arrays.copyOfRange(bytes, 0, cut));
                state = validate(state, Arrays.copyOfRange(bytes, cut, cut2));
                state = validate(state, Arrays.copyOfRange(bytes, cut2, bytes.length));
                assertThat(state)
                        .as("state after splits at %d and %d", cut, cut2)
                        .isEqualTo(oneShot);
            }
        }
    }

    @ParameterizedTest(name = "Autobahn {0}")
    @MethodSource("dev.throng.core.codec.Utf8Cases#arguments")
    void reachesTheSameStateOnMaskedInputAtAnyOffset(String id, byte[] bytes, boolean valid) {
        int plain = validate(bytes);
        for (int offset = 0; offset < 4; offset++) {
            assertThat(validateMasked(Utf8Validator.ACCEPT, bytes, MASK, offset))
                    .as("at offset %d", offset)
                    .isEqualTo(plain);
        }
    }

    // ---- named rules ----------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "2-byte NUL, c0 80",
        "2-byte max overlong, c1 bf",
        "3-byte NUL, e0 80 80",
        "3-byte max overlong, e0 9f bf",
        "4-byte NUL, f0 80 80 80",
        "4-byte max overlong, f0 8f bf bf"
    })
    void rejectsOverlongForms(String what, String hex) {
        assertThat(validate(hex(hex))).isEqualTo(Utf8Validator.REJECT);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ed a0 80", "ed ad bf", "ed ae 80", "ed af bf", "ed b0 80", "ed be 80", "ed bf bf"})
    void rejectsSurrogates(String hex) {
        assertThat(validate(hex(hex))).isEqualTo(Utf8Validator.REJECT);
    }

    @Test
    void acceptsTheCodePointsAroundTheSurrogates() {
        assertThat(isValid(hex("ed 9f bf"))).as("U+D7FF").isTrue();
        assertThat(isValid(hex("ee 80 80"))).as("U+E000").isTrue();
    }

    /** An inflated message may come in parts (a composite), split anywhere, even inside a character. */
    @ParameterizedTest(name = "{0} | {1}")
    @CsvSource({
        "'41 e2 82', 'ac 42', true",
        "'41 e2', '82 ac', true",
        "'41 e2 82', '41', false",
        "'41', 'ed a0 80', false",
        "'41 e2 82', '', false"
    })
    void validatesACompositePartByPart(String first, String second, boolean valid) {
        ByteBuf composite = Unpooled.compositeBuffer()
                .addComponents(true, Unpooled.wrappedBuffer(hex(first)), Unpooled.wrappedBuffer(hex(second)));

        assertThat(Utf8Validator.isValid(composite)).isEqualTo(valid);
    }

    @Test
    void rejectsCodePointsAboveU10ffff() {
        assertThat(isValid(hex("f4 8f bf bf"))).as("U+10FFFF").isTrue();
        assertThat(validate(hex("f4 90 80 80"))).as("U+110000").isEqualTo(Utf8Validator.REJECT);
    }

    @ParameterizedTest(name = "0x{0}")
    @ValueSource(strings = {"f5", "f6", "f7", "f8", "f9", "fa", "fb", "fc", "fd", "fe", "ff"})
    void rejectsLeadBytesThatCanOnlyEncodeBeyondU10ffff(String hex) {
        assertThat(validate(hex(hex + " 80 80 80"))).isEqualTo(Utf8Validator.REJECT);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {"c2", "df", "e0 a0", "e1", "ed 80", "ef bf", "f0 90", "f0 90 80", "f1", "f3 bf bf", "f4 8f bf"})
    void leavesATruncatedSequenceBetweenAcceptAndRejectUntilItCompletes(String hex) {
        byte[] bytes = hex(hex);
        int state = validate(bytes);

        assertThat(state).isNotIn(Utf8Validator.ACCEPT, Utf8Validator.REJECT);
        int missing = (bytes[0] & 0xFF) < 0xE0
                ? 2 - bytes.length
                : (bytes[0] & 0xFF) < 0xF0 ? 3 - bytes.length : 4 - bytes.length;
        byte[] completion = new byte[missing];
        Arrays.fill(completion, (byte) 0x80);
        assertThat(validate(state, completion))
                .as("state after the missing continuation bytes")
                .isEqualTo(Utf8Validator.ACCEPT);
    }

    @Test
    void rejectsATruncatedSequenceFollowedByASciiAtTheAsciiByte() {
        assertThat(validate(hex("e2 82 41"))).isEqualTo(Utf8Validator.REJECT);
    }

    @Test
    void keepsRejectOnceRejected() {
        assertThat(validate(Utf8Validator.REJECT, "plain".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo(Utf8Validator.REJECT);
        assertThat(validateMasked(Utf8Validator.REJECT, new byte[0], MASK, 0)).isEqualTo(Utf8Validator.REJECT);
    }

    @Test
    void acceptsEmptyInputInAnyState() {
        int midSequence = validate(hex("e2 82"));

        assertThat(validate(new byte[0])).isEqualTo(Utf8Validator.ACCEPT);
        assertThat(validate(midSequence, new byte[0])).isEqualTo(midSequence);
    }

    @Test
    void validatesOnlyTheReadableBytes() {
        ByteBuf buf = Unpooled.wrappedBuffer(hex("ff 41 42 ff"));
        try {
            buf.setIndex(1, 3);
            assertThat(Utf8Validator.isValid(buf)).isTrue();
            assertThat(buf.readerIndex()).as("reader index untouched").isEqualTo(1);
        } finally {
            buf.release();
        }
    }

    @Test
    void acceptsEveryCodePointTheJdkEncodes() {
        List<Integer> rejected = new ArrayList<>();
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
            if (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE) {
                continue;
            }
            byte[] bytes = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
            if (!isValid(bytes) && rejected.size() < 10) {
                rejected.add(cp);
            }
        }
        assertThat(rejected).as("code points rejected").isEmpty();
    }

    // ---- agreement with the JDK -----------------------------------------------------------------------------------

    @Test
    void agreesWithTheJdkOnEveryOneAndTwoByteInput() {
        CharsetDecoder decoder = strictDecoder();
        List<String> disagreements = new ArrayList<>();
        for (int b0 = 0; b0 < 256; b0++) {
            compare(decoder, new byte[] {(byte) b0}, disagreements);
            for (int b1 = 0; b1 < 256; b1++) {
                compare(decoder, new byte[] {(byte) b0, (byte) b1}, disagreements);
            }
        }
        assertThat(disagreements).as("inputs where validator and JDK disagree").isEmpty();
    }

    @Test
    void agreesWithTheJdkOnEveryThreeByteInputWithAMultiByteLead() {
        CharsetDecoder decoder = strictDecoder();
        List<String> disagreements = new ArrayList<>();
        for (int b0 = 0xC0; b0 < 256; b0++) {
            for (int b1 = 0; b1 < 256; b1++) {
                for (int b2 = 0; b2 < 256; b2++) {
                    compare(decoder, new byte[] {(byte) b0, (byte) b1, (byte) b2}, disagreements);
                }
            }
        }
        assertThat(disagreements).as("inputs where validator and JDK disagree").isEmpty();
    }

    @Test
    void agreesWithTheJdkOnFourByteInputsWithEveryValidFourByteLead() {
        CharsetDecoder decoder = strictDecoder();
        List<String> disagreements = new ArrayList<>();
        for (int b0 = 0xF0; b0 <= 0xF4; b0++) {
            for (int b1 = 0; b1 < 256; b1++) {
                for (int b2 : new int[] {0x7f, 0x80, 0xbf, 0xc0}) {
                    for (int b3 = 0; b3 < 256; b3++) {
                        compare(decoder, new byte[] {(byte) b0, (byte) b1, (byte) b2, (byte) b3}, disagreements);
                    }
                }
            }
        }
        assertThat(disagreements).as("inputs where validator and JDK disagree").isEmpty();
    }

    @Test
    void agreesWithTheJdkOnRandomInputs() {
        // Bytes drawn mostly from the boundaries of the UTF-8 table, so that random arrays often are (nearly) valid.
        int[] interesting = {
            0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee,
            0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xf7, 0xf8, 0xfe, 0xff
        };
        Random random = new Random(3629);
        CharsetDecoder decoder = strictDecoder();
        List<String> disagreements = new ArrayList<>();
        int valid = 0;
        for (int round = 0; round < 200_000; round++) {
            byte[] bytes = new byte[random.nextInt(13)];
            for (int i = 0; i < bytes.length; i++) {
                int pick = random.nextInt(4);
                bytes[i] = (byte)
                        (pick == 0
                                ? random.nextInt(256)
                                : pick == 1
                                        ? 0x80 + random.nextInt(64)
                                        : interesting[random.nextInt(interesting.length)]);
            }
            if (compare(decoder, bytes, disagreements)) {
                valid++;
            }
        }
        assertThat(disagreements).as("inputs where validator and JDK disagree").isEmpty();
        assertThat(valid)
                .as("valid inputs among the random ones (the test must see both kinds)")
                .isBetween(2_000, 198_000);
    }

    @Test
    void agreesWithTheJdkOnRandomMaskedInputsSplitAnywhere() {
        Random random = new Random(6455);
        CharsetDecoder decoder = strictDecoder();
        List<String> disagreements = new ArrayList<>();
        for (int round = 0; round < 20_000; round++) {
            StringBuilder sb = new StringBuilder();
            for (int i = random.nextInt(6); i >= 0; i--) {
                int cp = random.nextInt(3) == 0 ? random.nextInt(0x80) : random.nextInt(Character.MAX_CODE_POINT);
                if (cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE) {
                    sb.appendCodePoint(cp);
                }
            }
            byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
            if (bytes.length > 0 && random.nextBoolean()) {
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256); // one corrupted byte
            }
            int mask = random.nextInt();
            int cut = random.nextInt(bytes.length + 1);
            int state = validateMasked(Utf8Validator.ACCEPT, Arrays.copyOf(bytes, cut), mask, 0);
            byte[] rest = Arrays.copyOfRange(bytes, cut, bytes.length);
            // The second part continues the payload at offset cut: rotate the mask as the frame's key would.
            int rotated = Integer.rotateLeft(mask, 8 * (cut & 3));
            state = validateMasked(state, rest, rotated, 0);
            if ((state == Utf8Validator.ACCEPT) != jdkAccepts(decoder, bytes) && disagreements.size() < 10) {
                disagreements.add(hex(bytes) + " cut at " + cut);
            }
        }
        assertThat(disagreements).as("inputs where validator and JDK disagree").isEmpty();
    }

    /** Records a disagreement (hex of a small input, at most ten); returns whether the validator accepted. */
    private static boolean compare(CharsetDecoder decoder, byte[] bytes, List<String> disagreements) {
        boolean ours = isValid(bytes);
        if (ours != jdkAccepts(decoder, bytes) && disagreements.size() < 10) {
            disagreements.add(hex(bytes) + (ours ? " accepted" : " rejected"));
        }
        return ours;
    }
}
