package dev.throng.bench.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SourceAddressesTest {

    @Test
    void expandsAnInclusiveRange() {
        assertThat(SourceAddresses.parse("127.0.0.2-127.0.0.5"))
                .containsExactly("127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5");
    }

    @Test
    void rangesCrossOctetBoundaries() {
        assertThat(SourceAddresses.parse("127.0.0.254-127.0.1.1"))
                .containsExactly("127.0.0.254", "127.0.0.255", "127.0.1.0", "127.0.1.1");
    }

    @Test
    void mixesListsAndRangesInOrderWithoutDuplicates() {
        assertThat(SourceAddresses.parse("127.0.0.9, 127.0.0.2-127.0.0.3,127.0.0.9,127.0.0.3"))
                .containsExactly("127.0.0.9", "127.0.0.2", "127.0.0.3");
    }

    @Test
    void aSingleAddressIsARangeOfOne() {
        assertThat(SourceAddresses.parse("0.0.0.0")).containsExactly("0.0.0.0");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "127.0.0",
                "127.0.0.256",
                "localhost",
                "127.0.0.5-127.0.0.2",
                "127.0.0.1,,127.0.0.2",
                "127.0.0.-1",
                "10.0.0.0-10.1.0.0"
            })
    void rejectsWhatIsNotAnAddressListOrIsTooLong(String spec) {
        assertThatThrownBy(() -> SourceAddresses.parse(spec)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void convertsWithoutResolving() {
        assertThat(SourceAddresses.toInet("127.0.0.7").getAddress()).containsExactly(127, 0, 0, 7);
    }
}
