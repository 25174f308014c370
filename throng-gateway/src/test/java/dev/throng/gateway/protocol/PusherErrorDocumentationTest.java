package dev.throng.gateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** docs/gateway.md lists every PusherError with the code it really has and whether it closes (the enum promises so). */
class PusherErrorDocumentationTest {
    /** Surefire runs in the module directory. */
    private static final Path GATEWAY_MD = Path.of("..", "docs", "gateway.md");

    @ParameterizedTest
    @EnumSource(PusherError.class)
    void documentsEveryErrorWithItsCodeAndWhetherItCloses(PusherError error) throws IOException {
        Matcher row = Pattern.compile("^\\| `" + error.id() + "` \\| (\\d+|null) \\| (yes|no) \\|", Pattern.MULTILINE)
                .matcher(Files.readString(GATEWAY_MD, StandardCharsets.UTF_8));

        assertThat(row.find())
                .as("a table row for %s in %s", error.id(), GATEWAY_MD)
                .isTrue();
        String code = error.code().isPresent() ? Integer.toString(error.code().getAsInt()) : "null";
        assertThat(row.group(1)).as("documented code of %s", error.id()).isEqualTo(code);
        assertThat(row.group(2)).as("documented close of %s", error.id()).isEqualTo(error.closes() ? "yes" : "no");
    }
}
