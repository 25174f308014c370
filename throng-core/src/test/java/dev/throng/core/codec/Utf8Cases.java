package dev.throng.core.codec;

import static dev.throng.core.codec.Frames.hex;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The UTF-8 cases of the Autobahn|Testsuite (6.5.x-6.23.x), which are Markus Kuhn's UTF-8 decoder stress test: each
 * a case id, a payload and whether the payload is a complete, valid UTF-8 text.
 */
final class Utf8Cases {
    /** "κόσμε", the Greek word of Kuhn's §1 and of Autobahn 6.5.5 / 6.6.x. */
    static final byte[] KOSME = hex("ce ba e1 bd b9 cf 83 ce bc ce b5");

    record Case(String id, byte[] bytes, boolean valid) {
        Arguments arguments() {
            return Arguments.of(id, bytes, valid);
        }
    }

    private Utf8Cases() {}

    /** Every case as (id, bytes, valid) arguments, for {@code @MethodSource}. */
    static Stream<Arguments> arguments() {
        return all().stream().map(Case::arguments);
    }

    static List<Case> all() {
        List<Case> cases = new ArrayList<>();
        // 6.5: some valid UTF-8 sequences
        group(
                cases,
                "6.5",
                true,
                "68656c6c6f24776f726c64",
                "68656c6c6fc2a2776f726c64",
                "68656c6c6fe282ac776f726c64",
                "68656c6c6ff0a4ada2776f726c64",
                hex(KOSME));
        // 6.6: every prefix of κόσμε; valid exactly when it ends on a character boundary
        for (int i = 1; i <= KOSME.length; i++) {
            boolean boundary = i == 2 || i == 5 || i == 7 || i == 9 || i == 11;
            byte[] prefix = new byte[i];
            System.arraycopy(KOSME, 0, prefix, 0, i);
            cases.add(new Case("6.6." + i, prefix, boundary));
        }
        // 6.7: first possible sequence of each length
        group(cases, "6.7", true, "00", "c280", "e0a080", "f0908080");
        // 6.8: first possible sequences of length 5 and 6 (beyond U+10FFFF)
        group(cases, "6.8", false, "f888808080", "fc8480808080");
        // 6.9: last possible sequence of each length
        group(cases, "6.9", true, "7f", "dfbf", "efbfbf", "f48fbfbf");
        // 6.10: last possible sequences of length 4, 5 and 6 (beyond U+10FFFF)
        group(cases, "6.10", false, "f7bfbfbf", "fbbfbfbfbf", "fdbfbfbfbfbf");
        // 6.11: other boundaries: U+D7FF, U+E000, U+FFFD, U+10FFFF valid; U+110000 not
        group(cases, "6.11", true, "ed9fbf", "ee8080", "efbfbd", "f48fbfbf");
        cases.add(new Case("6.11.5", hex("f4908080"), false));
        // 6.12: unexpected continuation bytes
        group(
                cases,
                "6.12",
                false,
                "80",
                "bf",
                "80bf",
                "80bf80",
                "80bf80bf",
                "80bf80bf80",
                "80bf80bf80bf",
                hex(range(0x80, 0xbf, false)));
        // 6.13: lonely start bytes, each followed by a space
        group(
                cases,
                "6.13",
                false,
                hex(range(0xc0, 0xdf, true)),
                hex(range(0xe0, 0xef, true)),
                hex(range(0xf0, 0xf7, true)),
                hex(range(0xf8, 0xfb, true)),
                hex(range(0xfc, 0xfd, true)));
        // 6.14: sequences with the last continuation byte missing
        String[] missing = {
            "c0", "e080", "f08080", "f8808080", "fc80808080", "df", "efbf", "f7bfbf", "fbbfbfbf", "fdbfbfbfbf"
        };
        group(cases, "6.14", false, missing);
        // 6.15: all of 6.14 concatenated
        group(cases, "6.15", false, String.join("", missing));
        // 6.16: bytes that never appear in UTF-8
        group(cases, "6.16", false, "fe", "ff", "fefeffff");
        // 6.17: overlong '/'
        group(cases, "6.17", false, "c0af", "e080af", "f08080af", "f8808080af", "fc80808080af");
        // 6.18: maximum overlong sequences
        group(cases, "6.18", false, "c1bf", "e09fbf", "f08fbfbf", "f887bfbfbf", "fc83bfbfbfbf");
        // 6.19: overlong NUL
        group(cases, "6.19", false, "c080", "e08080", "f0808080", "f880808080", "fc8080808080");
        // 6.20: single UTF-16 surrogates
        group(cases, "6.20", false, "eda080", "edadbf", "edae80", "edafbf", "edb080", "edbe80", "edbfbf");
        // 6.21: paired UTF-16 surrogates
        group(
                cases,
                "6.21",
                false,
                "eda080edb080",
                "eda080edbfbf",
                "edadbfedb080",
                "edadbfedbfbf",
                "edae80edb080",
                "edae80edbfbf",
                "edafbfedb080",
                "edafbfedbfbf");
        // 6.22: non-characters U+FFFE, U+FFFF and U+nFFFE, U+nFFFF of planes 1-16: valid UTF-8 (RFC 3629)
        List<String> nonCharacters = new ArrayList<>(List.of("efbfbe", "efbfbf"));
        for (int plane = 1; plane <= 16; plane++) {
            for (int low : new int[] {0xFFFE, 0xFFFF}) {
                String character = new String(Character.toChars(plane << 16 | low));
                nonCharacters.add(hex(character.getBytes(StandardCharsets.UTF_8)));
            }
        }
        group(cases, "6.22", true, nonCharacters.toArray(String[]::new));
        // 6.23: Unicode specials U+FFF9-U+FFFF
        group(cases, "6.23", true, "efbfb9", "efbfba", "efbfbb", "efbfbc", "efbfbd", "efbfbe", "efbfbf");
        return cases;
    }

    private static void group(List<Case> cases, String prefix, boolean valid, String... hexes) {
        for (int i = 0; i < hexes.length; i++) {
            cases.add(new Case(prefix + "." + (i + 1), hex(hexes[i]), valid));
        }
    }

    /** Bytes {@code from} (inclusive) to {@code to} (exclusive) as Autobahn builds them, optionally each + space. */
    private static byte[] range(int from, int to, boolean space) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int b = from; b < to; b++) {
            out.write(b);
            if (space) {
                out.write(' ');
            }
        }
        return out.toByteArray();
    }
}
