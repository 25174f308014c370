package dev.throng.cli;

import dev.throng.core.ServerConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

class ServeCommandTest {

    private static final long OPEN_FILES = 20_000;

    private static ServeCommand serve(String... args) {
        ServeCommand serve = new ServeCommand();
        new CommandLine(serve).parseArgs(args);
        return serve;
    }

    @Test
    void withoutOptionsOneProcessRunsServerConfigsDefaults() {
        ServerConfig defaults = ServerConfig.builder().build();
        ServerConfig config = serve().config(1, OPEN_FILES);
        assertThat(config.listen().host()).isEqualTo(defaults.listen().host());
        assertThat(config.listen().port()).isEqualTo(defaults.listen().port());
        assertThat(config.listen().transport()).isEqualTo(defaults.listen().transport());
        assertThat(config.listen().backlog()).isEqualTo(defaults.listen().backlog());
        assertThat(config.limits().maxFrameSize()).isEqualTo(defaults.limits().maxFrameSize());
        assertThat(config.limits().maxMessageSize()).isEqualTo(defaults.limits().maxMessageSize());
        assertThat(config.limits().maxOutboundBytes()).isEqualTo(defaults.limits().maxOutboundBytes());
        assertThat(config.handshake().timeout()).isEqualTo(defaults.handshake().timeout());
        assertThat(config.keepalive().pingInterval()).isEqualTo(defaults.keepalive().pingInterval());
        assertThat(config.keepalive().idleTimeout()).isEqualTo(defaults.keepalive().idleTimeout());
        assertThat(config.admission().maxConnectionsPerAddress()).isEqualTo(defaults.admission().maxConnectionsPerAddress());
        assertThat(config.compression().enabled()).isEqualTo(defaults.compression().enabled());
    }

    @Test
    void theHelpShowsTheDefaultsServerConfigGives() {
        String help = new CommandLine(new ServeCommand()).getUsageMessage(CommandLine.Help.Ansi.OFF)
            .replaceAll("\\s+", " ");
        assertThat(help).contains("Address to bind (default: 0.0.0.0)", "Port to bind (default: 8080)",
            "0: off (default: 30s)", "0: off (default: 0)", "Largest frame payload; larger: close 1009 (default: 1m)",
            "Largest message, inflated; larger: close 1009 (default: 1m)", "closed with 1013 (default: 1m)",
            "slower: 408 (default: 10s)", "Accept backlog (default: 4096)", "(default: auto: epoll where it loads",
            "per worker; over it, 429. 0: no cap (default: 0)");
    }

    @Test
    void anOptionGivenOverridesServerConfigsDefault() {
        ServerConfig config = serve("--max-frame-size", "64k", "--max-message-size", "256KiB", "--ping-interval",
            "5s", "--backlog", "128").config(1, OPEN_FILES);
        assertThat(config.limits().maxFrameSize()).isEqualTo(64 * 1024);
        assertThat(config.limits().maxMessageSize()).isEqualTo(256 * 1024);
        assertThat(config.keepalive().pingInterval()).hasSeconds(5);
        assertThat(config.listen().backlog()).isEqualTo(128);
    }

    @Test
    void sizesAreShownInTheLargestUnitThatDividesThem() {
        assertThat(SizeConverter.format(1 << 20)).isEqualTo("1m");
        assertThat(SizeConverter.format(64 * 1024)).isEqualTo("64k");
        assertThat(SizeConverter.format(1L << 30)).isEqualTo("1g");
        assertThat(SizeConverter.format(1000)).isEqualTo("1000");
        assertThat(SizeConverter.format(0)).isEqualTo("0");
        assertThat(new SizeConverter().convert(SizeConverter.format(3 << 20))).isEqualTo(3 << 20);
    }
}
