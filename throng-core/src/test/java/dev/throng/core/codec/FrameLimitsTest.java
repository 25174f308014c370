package dev.throng.core.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FrameLimitsTest {

    @Test
    void rejectsAFrameLimitBelowTheLargestControlFrame() {
        assertThatThrownBy(() -> new FrameLimits(124, 1024))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxFrameSize");
    }

    @Test
    void rejectsAMessageLimitBelowTheFrameLimit() {
        assertThatThrownBy(() -> new FrameLimits(1024, 1023))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxMessageSize");
    }

    @Test
    void acceptsTheSmallestLimits() {
        assertThat(new FrameLimits(125, 125).maxMessageSize()).isEqualTo(125);
    }
}
