package dev.throng.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class KeepaliveWheelTest {
    private static final long INTERVAL_MS = 30_000;
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    /** Records when it was visited. */
    static final class Probe extends KeepaliveWheel.Member {
        final List<Long> visits = new ArrayList<>();

        @Override
        protected void onKeepalive(long nowNanos) {
            visits.add(nowNanos);
        }
    }

    private static List<Probe> addProbes(KeepaliveWheel wheel, int count) {
        List<Probe> probes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Probe p = new Probe();
            wheel.add(p);
            probes.add(p);
        }
        return probes;
    }

    @Test
    void visitsEveryMemberOncePerIntervalSpreadOverTheInterval() {
        KeepaliveWheel wheel = new KeepaliveWheel(INTERVAL_MS, 0);
        List<Probe> probes = addProbes(wheel, 3000);
        for (long t = 0; t <= INTERVAL_MS; t += wheel.tickMillis()) {
            wheel.tick(t * MS);
        }
        long[] firstVisits = probes.stream()
                .mapToLong(p -> {
                    assertThat(p.visits).as("visits in one interval").hasSize(1);
                    return p.visits.get(0) / MS;
                })
                .sorted()
                .toArray();
        // Spread evenly: the middle 80 % of pings span ~80 % of the interval, not a burst.
        long spread = firstVisits[2700] - firstVisits[300];
        assertThat(spread).isGreaterThan(INTERVAL_MS * 7 / 10);
    }

    @Test
    void consecutiveVisitsOfOneMemberAreOneIntervalApart() {
        KeepaliveWheel wheel = new KeepaliveWheel(INTERVAL_MS, 0);
        List<Probe> probes = addProbes(wheel, 100);
        for (long t = 0; t <= 3 * INTERVAL_MS; t += wheel.tickMillis()) {
            wheel.tick(t * MS);
        }
        for (Probe p : probes) {
            assertThat(p.visits).hasSizeBetween(2, 3);
            for (int i = 1; i < p.visits.size(); i++) {
                assertThat((p.visits.get(i) - p.visits.get(i - 1)) / MS).isEqualTo(INTERVAL_MS);
            }
        }
    }

    @Test
    void afterAStallLongerThanAnIntervalEachMemberIsVisitedOnceNotRepeatedly() {
        KeepaliveWheel wheel = new KeepaliveWheel(INTERVAL_MS, 0);
        List<Probe> probes = addProbes(wheel, 500);
        wheel.tick(3 * INTERVAL_MS * MS); // the loop was stalled for three intervals
        wheel.tick(3 * INTERVAL_MS * MS); // and calls come in a burst at the same time
        wheel.tick(3 * INTERVAL_MS * MS + 1);
        for (Probe p : probes) {
            assertThat(p.visits)
                    .as("a member is visited once, so it is never judged right after a ping")
                    .hasSize(1);
        }
    }

    @Test
    void aMemberThatLeavesIsNoLongerVisited() {
        KeepaliveWheel wheel = new KeepaliveWheel(INTERVAL_MS, 0);
        List<Probe> probes = addProbes(wheel, 10);
        probes.get(3).unlink();
        wheel.tick(INTERVAL_MS * MS);
        assertThat(probes.get(3).visits).isEmpty();
        assertThat(probes.get(4).visits).hasSize(1);
    }
}
