package dev.throng.bench.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PortRangeTest {

    @Test
    void parsesARangeAndASinglePort() {
        assertThat(PortRange.parse("1024-65535")).isEqualTo(new PortRange(1024, 65535));
        assertThat(PortRange.parse("8080").size()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0-10", "10-5", "1-65536", "a-b", ""})
    void rejectsInvalidRanges(String spec) {
        assertThatThrownBy(() -> PortRange.parse(spec)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource({"1024,65535,56", "1024,65535,7", "10,19,10", "10,19,3", "1,1,1"})
    void slicesAreDisjointContiguousAndCoverTheRange(int first, int last, int count) {
        PortRange range = new PortRange(first, last);
        List<PortRange> slices = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            slices.add(range.slice(i, count));
        }
        assertThat(slices.get(0).first()).isEqualTo(first);
        assertThat(slices.get(count - 1).last()).isEqualTo(last);
        for (int i = 1; i < count; i++) {
            assertThat(slices.get(i).first()).isEqualTo(slices.get(i - 1).last() + 1);
        }
        int min = slices.stream().mapToInt(PortRange::size).min().orElseThrow();
        int max = slices.stream().mapToInt(PortRange::size).max().orElseThrow();
        assertThat(max - min).isLessThanOrEqualTo(1);
    }

    @Test
    void refusesMoreSlicesThanPorts() {
        assertThatThrownBy(() -> new PortRange(10, 12).slice(0, 4)).isInstanceOf(IllegalArgumentException.class);
    }
}
