package dev.throng.core.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** docs/protocol.md lists every close reason with the code it really has (CloseReason's javadoc promises so). */
class ProtocolDocumentationTest {
    /** Surefire runs in the module directory. */
    private static final Path PROTOCOL_MD = Path.of("..", "docs", "protocol.md");

    private static String protocolMd() throws IOException {
        return Files.readString(PROTOCOL_MD, StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @EnumSource(CloseReason.class)
    void documentsEveryCloseReasonWithItsCode(CloseReason reason) throws IOException {
        Matcher row = Pattern.compile("^\\| `" + reason.id() + "` \\| (\\d+) \\|", Pattern.MULTILINE)
                .matcher(protocolMd());

        assertThat(row.find())
                .as("a table row for %s in %s", reason.id(), PROTOCOL_MD)
                .isTrue();
        assertThat(Integer.parseInt(row.group(1)))
                .as("documented code of %s", reason.id())
                .isEqualTo(reason.code());
    }
}
