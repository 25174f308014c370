package dev.throng.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationConverterTest {

    @ParameterizedTest
    @CsvSource({"250ms,250", "30s,30000", "2m,120000", "1h,3600000", "0,0", "PT1.5S,1500"})
    void parsesTheCommonForms(String text, long millis) {
        assertThat(DurationConverter.parse(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "s", "30", "3x", "ms"})
    void rejectsAnythingElse(String text) {
        assertThatThrownBy(() -> DurationConverter.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource({"500,500ms", "30000,30s", "120000,2m", "0,0"})
    void formatsCompactly(long millis, String text) {
        assertThat(DurationConverter.format(Duration.ofMillis(millis))).isEqualTo(text);
    }
}
