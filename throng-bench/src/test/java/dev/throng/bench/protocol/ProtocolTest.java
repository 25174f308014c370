package dev.throng.bench.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.throng.bench.plan.PayloadType;
import dev.throng.bench.plan.Scenario;
import dev.throng.bench.plan.TargetUrl;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class ProtocolTest {

    @Test
    void aHistogramSurvivesEncoding() {
        Histogram h = Histograms.create();
        for (int i = 1; i <= 1000; i++) {
            h.recordValue(i * 10L);
        }
        Histogram back = Histograms.decode(Histograms.encode(h));
        assertThat(back.getTotalCount()).isEqualTo(1000);
        assertThat(back.getValueAtPercentile(99)).isEqualTo(h.getValueAtPercentile(99));
        assertThat(back.getMaxValue()).isEqualTo(h.getMaxValue());
    }

    @Test
    void valuesAreClampedToTheTrackableRange() {
        Histogram h = Histograms.create();
        Histograms.recordNanos(h, -5);
        Histograms.recordNanos(h, Long.MAX_VALUE);
        assertThat(h.getMinValue()).isZero();
        assertThat(h.getMaxValue()).isGreaterThanOrEqualTo(Histograms.HIGHEST_MICROS);
    }

    @Test
    void aSpecTravelsAsOneJsonLine() throws Exception {
        WorkerSpec spec = new WorkerSpec(
                3,
                100,
                300,
                List.of(TargetUrl.parse("ws://127.0.0.1:9/x")),
                List.of(new SourceSlice("127.0.0.2", 1024, 2047)),
                50.0,
                30_000,
                25.0,
                Scenario.ECHO,
                1000,
                32,
                PayloadType.BINARY,
                0,
                10_000,
                5000,
                1,
                "auto",
                null);
        String line = Json.MAPPER.writeValueAsString(spec);
        assertThat(line).doesNotContain("\n");
        assertThat(Json.MAPPER.readValue(line, WorkerSpec.class)).isEqualTo(spec);
    }

    @Test
    void aSnapshotTravelsWithItsMaps() throws Exception {
        WorkerSnapshot s = new WorkerSnapshot(
                1,
                42,
                10,
                8,
                7,
                Map.of("refused", 2L),
                Map.of("close-1001", 1L),
                Map.of(3, 1L),
                0,
                0,
                5,
                1,
                2,
                3,
                4,
                0,
                6,
                0,
                0,
                1500,
                9,
                10,
                11,
                Map.of("handshake", "abc"),
                null);
        String line = Json.MAPPER.writeValueAsString(WorkerMessage.of(WorkerMessage.TYPE_PROGRESS, s));
        WorkerMessage back = Json.MAPPER.readValue(line, WorkerMessage.class);
        assertThat(back.type()).isEqualTo("progress");
        assertThat(back.snapshot()).isEqualTo(s);
        assertThat(back.snapshot().failed()).isEqualTo(2);
        assertThat(back.snapshot().lostTotal()).isEqualTo(1);
    }
}
