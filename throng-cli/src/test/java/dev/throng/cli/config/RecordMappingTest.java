package dev.throng.cli.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.throng.core.ServerConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Records to trees and arguments and back, by reflection; refusals name the setting. */
class RecordMappingTest {

    /** Every kind the mapping knows, in one made-up configuration. */
    enum Colour {
        RED,
        DARK_BLUE
    }

    record Hook(URI url, Set<String> events) {
        Hook {
            if (url == null || !"https".equals(url.getScheme())) {
                throw new IllegalArgumentException("hooks.url must be an https URL, got " + url);
            }
        }
    }

    record Site(
            String name,
            int maxBodySize,
            long memoryBudget,
            int retries,
            boolean open,
            Colour colour,
            Duration timeout,
            Path root,
            List<String> tags,
            List<Hook> hooks) {
        Site {
            if (retries < 0) {
                throw new IllegalArgumentException("retries must be >= 0, got " + retries);
            }
            if (timeout != null && timeout.toSeconds() > retries * 10L) {
                throw new IllegalArgumentException("timeout (" + timeout + ") must be at most 10 s per retries");
            }
        }
    }

    record Everything(Site site, List<Site> mirrors) {}

    private static final Site SITE = new Site(
            "main",
            64 * 1024,
            3L << 30,
            3,
            true,
            Colour.DARK_BLUE,
            Duration.ofMillis(2500),
            Path.of("/srv/www"),
            List.of("b", "a"),
            List.of(new Hook(URI.create("https://hooks.example/1"), Set.of("y", "x"))));

    @Test
    void aRecordBecomesATreeOfTexts() {
        Map<String, Object> tree = RecordMapping.toTree(SITE);
        assertThat(tree)
                .containsEntry("maxBodySize", "64k")
                .containsEntry("memoryBudget", "3g")
                .containsEntry("retries", "3")
                .containsEntry("colour", "dark_blue")
                .containsEntry("timeout", "2500ms")
                .containsEntry("tags", List.of("b", "a"));
        assertThat(tree.get("hooks"))
                .isEqualTo(List.of(Map.of("url", "https://hooks.example/1", "events", List.of("x", "y"))));
    }

    @Test
    void aTreeBecomesTheSameRecordAgain() {
        Everything everything = new Everything(
                SITE, List.of(SITE, new Site("b", 1, 0, 0, false, Colour.RED, null, null, List.of(), List.of())));
        assertThat(RecordMapping.fromTree(Everything.class, RecordMapping.toTree(everything)))
                .isEqualTo(everything);
    }

    @Test
    void argumentsCarryListsOfRecordsAndRepeatListsOfStrings() {
        Everything everything = new Everything(SITE, List.of(SITE));
        List<String> args = RecordMapping.toArgs(everything);
        assertThat(args)
                .contains(
                        "--site.tags=b",
                        "--site.tags=a",
                        "--mirrors[0].hooks[0].url=https://hooks.example/1",
                        "--site.colour=dark_blue");
        Map<String, Object> tree = RecordMapping.treeFromArgs(Shape.of(Everything.class), args);
        assertThat(RecordMapping.fromTree(Everything.class, tree)).isEqualTo(everything);
    }

    @Test
    void sizesAreNamedByTheirSettingsNames() {
        assertThat(RecordMapping.leafPaths(ServerConfig.class).stream().filter(p -> Shape.isSize(leaf(p))))
                .containsExactly(
                        "handshake.maxHeaderSize",
                        "limits.maxFrameSize",
                        "limits.maxMessageSize",
                        "limits.maxOutboundBytes",
                        "limits.writeBufferHighWaterMark",
                        "limits.memoryBudget");
        assertThat(Shape.isSize("webhookQueueSize")).as("a count of events").isFalse();
    }

    private static String leaf(String path) {
        return path.substring(path.lastIndexOf('.') + 1);
    }

    @Test
    void everyComponentOfServerConfigHasAKind() {
        assertThat(RecordMapping.leafPaths(ServerConfig.class))
                .hasSize(29)
                .contains(
                        "listen.port",
                        "handshake.timeout",
                        "limits.memoryBudget",
                        "compression.enabled",
                        "keepalive.loopStallTimeout",
                        "admission.retryAfter");
    }

    @Test
    void anUnknownSettingIsNamedWithWhatItsGroupHas() {
        Map<String, Object> tree = RecordMapping.toTree(SITE);
        tree.put("retires", "3");
        assertThatThrownBy(() -> RecordMapping.bind(Shape.of(Site.class), tree, "sites[2]"))
                .isInstanceOf(SettingException.class)
                .hasMessage("sites[2].retires: unknown setting; sites[2] has name, maxBodySize, memoryBudget, retries, "
                        + "open, colour, timeout, root, tags, hooks");
    }

    @Test
    void aValueThatDoesNotParseIsNamedByItsPath() {
        assertThatThrownBy(() -> bindSite("maxBodySize", "12q"))
                .hasMessage("maxBodySize: not a size: '12q' (use e.g. 65536, 64k, 1m)");
        assertThatThrownBy(() -> bindSite("maxBodySize", "3g"))
                .hasMessageStartingWith("maxBodySize: size out of range");
        assertThatThrownBy(() -> bindSite("retries", "3k")).hasMessage("retries: expected a whole number, got '3k'");
        assertThatThrownBy(() -> bindSite("open", "yes")).hasMessage("open: expected true or false, got 'yes'");
        assertThatThrownBy(() -> bindSite("colour", "green"))
                .hasMessage("colour: expected red, dark_blue; got 'green'");
        assertThatThrownBy(() -> bindSite("timeout", "soon")).hasMessageStartingWith("timeout: not a duration");
        assertThatThrownBy(() -> bindSite("tags", Map.of("a", "b")))
                .hasMessage("tags: expected a list, not a group " + "of settings");
        assertThatThrownBy(() -> bindSite("name", List.of("a"))).hasMessage("name: expected a string, not a list");
        assertThatThrownBy(() -> bindSite("retries", null)).hasMessage("retries: missing");
    }

    @Test
    void aRefusalByTheRecordNamesTheSettingsItsMessageMentions() {
        assertThatThrownBy(() -> bindSite("retries", "-1"))
                .isInstanceOf(SettingException.class)
                .hasMessage("retries: retries must be >= 0, got -1");
        SettingException both =
                (SettingException) org.assertj.core.api.Assertions.catchThrowable(() -> bindSite("retries", "0"));
        assertThat(both.paths()).containsExactly("timeout", "retries");
        Map<String, Object> tree = RecordMapping.toTree(SITE);
        ((Map<String, Object>) ((List<?>) tree.get("hooks")).get(0)).put("url", "http://plain.example/");
        assertThatThrownBy(() -> RecordMapping.bind(Shape.of(Site.class), tree, "site"))
                .hasMessage("site.hooks[0].url: hooks.url must be an https URL, got http://plain.example/");
    }

    private static Object bindSite(String name, Object text) {
        Map<String, Object> tree = new LinkedHashMap<>(RecordMapping.toTree(SITE));
        tree.put(name, text);
        return RecordMapping.bind(Shape.of(Site.class), tree, "");
    }

    @Test
    void malformedArgumentsAreRefused() {
        Shape.Group shape = Shape.of(Everything.class);
        assertThatThrownBy(() -> RecordMapping.treeFromArgs(shape, List.of("--site.name")))
                .hasMessageContaining("--path=value");
        assertThatThrownBy(() -> RecordMapping.treeFromArgs(shape, List.of("--site=x")))
                .hasMessage("site: unknown setting");
        assertThatThrownBy(() -> RecordMapping.treeFromArgs(shape, List.of("--mirrors[1].name=x")))
                .hasMessage("mirrors[1].name: mirrors has 0 item(s), so the next index is 0");
        assertThatThrownBy(() -> RecordMapping.treeFromArgs(shape, List.of("--site.name[=x")))
                .hasMessageContaining("not a setting's path");
    }
}
