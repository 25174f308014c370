package dev.throng.gateway.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The broker contract on the in-process broker, and what only it promises. */
class LocalBrokerTest extends BrokerContract {

    @Override
    protected Broker newBroker() {
        return new LocalBroker();
    }

    @Override
    protected boolean clustered() {
        return false;
    }

    @Test
    void answersEverythingAtOnce() {
        Node a = node();
        assertThat(a.broker().ready(APP, "x").toCompletableFuture().isDone()).isTrue();
        assertThat(a.broker().channel(APP, "x").toCompletableFuture().isDone()).isTrue();
        assertThat(a.broker()
                        .join(APP, "presence-x", new Broker.Member("1", "1", null), "1.1", 10)
                        .toCompletableFuture()
                        .isDone())
                .isTrue();
        assertThat(a.broker().cached(APP, "cache-x").toCompletableFuture().isDone())
                .isTrue();
    }

    @Test
    void sweepsExpiredCacheEntriesAsItWrites() throws Exception {
        LocalBroker broker = (LocalBroker) node().broker();
        for (int i = 0; i < 100; i++) {
            broker.publishCached(new Publication(APP, "cache-" + i, "e", "d", null, null, 0), Duration.ofMillis(1));
        }
        Thread.sleep(5);
        for (int i = 0; i < 64; i++) { // nobody reads those 100 again: writes sweep them out
            broker.publishCached(new Publication(APP, "cache-live", "e", "d", null, null, 0), Duration.ofMinutes(1));
        }
        assertThat(broker.cacheEntries(APP)).as("the live entry alone").isEqualTo(1);
    }
}
