package dev.throng.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FormatTest {

    @ParameterizedTest
    @CsvSource({"500,500ms", "1500,1500ms", "30000,30s", "120000,2m", "7200000,2h", "0,0"})
    void formatsADurationInItsLargestWholeUnit(long millis, String text) {
        assertThat(Format.duration(Duration.ofMillis(millis))).isEqualTo(text);
    }

    @ParameterizedTest
    @CsvSource({"1234567,'1,234,567'", "0,0"})
    void groupsThousands(long n, String text) {
        assertThat(Format.count(n)).isEqualTo(text);
    }
}
