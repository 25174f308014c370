package dev.throng.redis;

import dev.throng.gateway.broker.Broker;
import dev.throng.gateway.broker.BrokerContract;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;

/**
 * The broker contract on Redis: a real {@code redis-server} of this class's own, every test under a key prefix of its
 * own, every node a {@link RedisBroker} (short leases and quota syncs, so that periodic work is seen quickly).
 */
class RedisBrokerIT extends BrokerContract {
    static RedisServer redis;
    private String prefix;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        redis.stop();
    }

    @BeforeEach
    void prefix(TestInfo test) {
        prefix = "t-" + test.getTestMethod().orElseThrow().getName();
    }

    /** Settings for tests: short lease and quota sync. */
    static RedisClusterSettings settings(String uri, String prefix) {
        return RedisClusterSettings.builder(uri)
                .keyPrefix(prefix)
                .leaseTtl(Duration.ofMillis(1500))
                .leaseRefresh(Duration.ofMillis(500))
                .quotaSync(Duration.ofMillis(100))
                .commandTimeout(Duration.ofSeconds(1))
                .reconnectMaxDelay(Duration.ofMillis(500))
                .build();
    }

    @Override
    protected Broker newBroker() {
        return RedisBroker.connect(settings(redis.uri(), prefix));
    }

    @Override
    protected boolean clustered() {
        return true;
    }

    @Override
    protected void settle() throws InterruptedException {
        Thread.sleep(400); // four quota syncs
    }
}
