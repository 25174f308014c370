package dev.throng.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ArrivalQueue}: handshakes in progress, oldest first, swept by deadline. */
class ArrivalQueueTest {
    private final List<String> expired = new ArrayList<>();

    /** A member due at {@code deadline}. */
    private final class Handshake extends KeepaliveWheel.Member {
        final String name;
        final long deadline;

        Handshake(String name, long deadline) {
            this.name = name;
            this.deadline = deadline;
        }

        @Override
        protected void onKeepalive(long nowNanos) {}

        @Override
        protected long onDeadline(long nowNanos) {
            long left = deadline - nowNanos;
            if (left <= 0) {
                expired.add(name);
            }
            return left;
        }
    }

    @Test
    void expiresTheDueMembersOldestFirstAndReportsTheTimeLeftOfTheNext() {
        ArrivalQueue queue = new ArrivalQueue();
        queue.add(new Handshake("a", 10));
        queue.add(new Handshake("b", 20));
        queue.add(new Handshake("c", 30));

        assertThat(queue.expire(5)).isEqualTo(5);
        assertThat(expired).isEmpty();
        assertThat(queue.expire(20)).isEqualTo(10);
        assertThat(expired).containsExactly("a", "b");
        assertThat(queue.expire(100)).isEqualTo(-1);
        assertThat(expired).containsExactly("a", "b", "c");
        queue.expire(1000);
        assertThat(expired)
                .as("an expired member left the queue: it is not asked again")
                .hasSize(3);
    }

    @Test
    void aMemberThatLeavesIsNeverSwept() {
        ArrivalQueue queue = new ArrivalQueue();
        Handshake upgraded = new Handshake("upgraded", 10);
        queue.add(upgraded);
        queue.add(new Handshake("slow", 20));
        upgraded.unlink(); // answered before its deadline

        assertThat(queue.expire(50)).isEqualTo(-1);
        assertThat(expired).containsExactly("slow");
    }

    @Test
    void anEmptyQueueHasNothingDue() {
        assertThat(new ArrivalQueue().expire(0)).isEqualTo(-1);
    }
}
