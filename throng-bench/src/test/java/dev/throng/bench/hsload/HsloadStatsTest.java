package dev.throng.bench.hsload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class HsloadStatsTest {

    /** A file as hsload writes it (bench/hsload/README.md, "Statistics file"). */
    static final String FILE = """
            hsload-stats 1 lat_sub_bits 6 handshake_sub_bits 3
            time time_us 1733350001123456 elapsed_us 12004000 phase holding
            handshakes total 1000 attempted 1000 ok 997 failed 3 unfinished 0 inflight 0 held 995 dropped 2 \
            resets 1 close_frames 0 skipped 4 connect_us 95400
            fails connect 1 reset 0 eof 0 status 2 accept 0 timeout 0 other 0
            status 503 2
            pusher subscribes 997 subscribe_failed 0 subscribed 994 acks 994 errors 1 sub_errors 1 sub_lost 1 \
            ramp_us 101200 unknown_channel 0 unreadable 3
            frames texts 7000 pings 12 pongs 12 pong_failed 0 partial 12 unparsed 0
            cpu user_us 310000 sys_us 920000 maxrss_kb 9120
            handshake hist 240:3,256:120,288:874
            channels 4 acks 0:249,1:249,2:248,3:248
            step 0 recv 4970 ooo 1 gaps 2 hist 4992:4000,5056:900,901120:70
            step 1 recv 10 ooo 0 gaps 0 hist
            end
            """;

    @Test
    void readsEveryLineOfAFileAsHsloadWritesIt() {
        HsloadStats s = HsloadStats.parse(FILE);
        assertThat(s.phase()).isEqualTo("holding");
        assertThat(s.get("handshakes", "ok")).isEqualTo(997);
        assertThat(s.get("handshakes", "connect_us")).isEqualTo(95_400);
        assertThat(s.get("fails", "connect")).isEqualTo(1);
        assertThat(s.statuses()).containsEntry(503, 2L).hasSize(1);
        assertThat(s.get("pusher", "ramp_us")).isEqualTo(101_200);
        assertThat(s.get("frames", "pings")).isEqualTo(12);
        assertThat(s.get("cpu", "sys_us")).isEqualTo(920_000);
        assertThat(s.handshakes())
                .containsExactly(
                        new HsloadStats.Bucket(240, 3),
                        new HsloadStats.Bucket(256, 120),
                        new HsloadStats.Bucket(288, 874));
        assertThat(s.channels()).isEqualTo(4);
        assertThat(s.channelAcks())
                .containsEntry(0, 249L)
                .containsEntry(3, 248L)
                .hasSize(4);
        assertThat(s.latencySubBits()).isEqualTo(6);
        assertThat(s.handshakeSubBits()).isEqualTo(3);
        HsloadStats.Step step0 = s.steps().get(0);
        assertThat(step0.received()).isEqualTo(4970);
        assertThat(step0.outOfOrder()).isEqualTo(1);
        assertThat(step0.gaps()).isEqualTo(2);
        assertThat(step0.latency())
                .containsExactly(
                        new HsloadStats.Bucket(4992, 4000),
                        new HsloadStats.Bucket(5056, 900),
                        new HsloadStats.Bucket(901120, 70));
        assertThat(s.steps().get(1).latency()).isEmpty();
        assertThat(s.steps()).doesNotContainKey(2);
    }

    @Test
    void aMissingCounterReadsAsZero() {
        assertThat(HsloadStats.parse(FILE).get("pusher", "no_such")).isZero();
        assertThat(HsloadStats.parse("hsload-stats 1\nend").get("handshakes", "ok"))
                .isZero();
    }

    @Test
    void refusesAFileCutShort() {
        String cut = FILE.substring(0, FILE.indexOf("step 1"));
        assertThatThrownBy(() -> HsloadStats.parse(cut)).hasMessageContaining("no final `end`");
    }

    @Test
    void refusesAnotherVersion() {
        assertThatThrownBy(() -> HsloadStats.parse("hsload-stats 2\nend")).hasMessageContaining("version 1");
        assertThatThrownBy(() -> HsloadStats.parse(String.join("\n", List.of("something", "end"))))
                .hasMessageContaining("version 1");
    }
}
