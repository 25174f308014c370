package dev.throng.bench.pusher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ChannelPlanTest {

    @Test
    void spreadsSubscriptionsEvenlyOverTheChannels() {
        ChannelPlan plan = new ChannelPlan(1000, 3);
        int[] counts = new int[1000];
        for (long j = 0; j < 5000; j++) {
            Set<Integer> mine = new HashSet<>();
            for (int i = 0; i < 3; i++) {
                int c = plan.channel(plan.firstChannel(j), i);
                counts[c]++;
                mine.add(c);
                assertThat(plan.slot(plan.firstChannel(j), c)).isEqualTo(i);
            }
            assertThat(mine).hasSize(3);
        }
        for (int c = 0; c < 1000; c++) {
            assertThat(counts[c]).isEqualTo(15).isEqualTo((int) plan.subscribers(5000, c));
        }
    }

    @Test
    void oneChannelGetsEverySubscriber() {
        ChannelPlan plan = new ChannelPlan(1, 1);
        assertThat(plan.firstChannel(14_999)).isZero();
        assertThat(plan.subscribers(15_000, 0)).isEqualTo(15_000);
    }

    @Test
    void unevenCountsGiveTheFirstChannelsOneMore() {
        ChannelPlan plan = new ChannelPlan(4, 1);
        assertThat(plan.subscribers(10, 0)).isEqualTo(3);
        assertThat(plan.subscribers(10, 1)).isEqualTo(3);
        assertThat(plan.subscribers(10, 2)).isEqualTo(2);
    }

    @Test
    void aSlotOfAnotherConnectionsChannelIsMinusOne() {
        ChannelPlan plan = new ChannelPlan(10, 2);
        assertThat(plan.slot(9, 0)).isEqualTo(1); // wraps
        assertThat(plan.slot(9, 1)).isEqualTo(-1);
    }

    @Test
    void refusesMoreSubscriptionsPerClientThanChannels() {
        assertThatThrownBy(() -> new ChannelPlan(2, 3)).hasMessageContaining("--subscriptions-per-client");
    }
}
