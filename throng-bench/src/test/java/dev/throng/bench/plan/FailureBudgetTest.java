package dev.throng.bench.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FailureBudgetTest {

    @Test
    void aCountAllowsUpToThatManyFailures() {
        FailureBudget b = FailureBudget.parse("3");
        assertThat(b.allows(3, 10)).isTrue();
        assertThat(b.allows(4, 1_000_000)).isFalse();
    }

    @Test
    void aPercentageIsOfTheAttempts() {
        FailureBudget b = FailureBudget.parse("0.5%");
        assertThat(b.allows(5, 1000)).isTrue();
        assertThat(b.allows(6, 1000)).isFalse();
        assertThat(b.toString()).isEqualTo("0.5%");
    }

    @Test
    void theDefaultAllowsNothing() {
        assertThat(FailureBudget.NONE.allows(0, 10)).isTrue();
        assertThat(FailureBudget.NONE.allows(1, 10)).isFalse();
    }

    @Test
    void rejectsNegativeAndOverOneHundredPercent() {
        assertThatThrownBy(() -> FailureBudget.parse("-1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FailureBudget.parse("101%")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FailureBudget.parse("some")).isInstanceOf(IllegalArgumentException.class);
    }
}
