package dev.throng.bench.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.openjdk.jol.info.ClassLayout;

/** Guards the per-connection budget stated on {@link BenchConnection}: at a million connections, 8 bytes is 8 MB. */
class BenchConnectionLayoutTest {

    @Test
    void aConnectionObjectFitsInSeventyTwoBytes() {
        long size = ClassLayout.parseClass(BenchConnection.class).instanceSize();
        assertThat(size)
                .as(ClassLayout.parseClass(BenchConnection.class).toPrintable())
                .isLessThanOrEqualTo(72);
    }

    @Test
    void aSubscriberFitsInNinetySixBytes() {
        long size = ClassLayout.parseClass(PusherConnection.class).instanceSize();
        assertThat(size)
                .as(ClassLayout.parseClass(PusherConnection.class).toPrintable())
                .isLessThanOrEqualTo(96);
    }
}
