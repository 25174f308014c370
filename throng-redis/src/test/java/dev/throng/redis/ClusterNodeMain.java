package dev.throng.redis;

import dev.throng.core.ServerConfig;
import dev.throng.gateway.Gateway;
import dev.throng.gateway.GatewayConfig;
import java.time.Duration;
import java.util.List;

/**
 * TEST ONLY: a cluster node in a process of its own, for the test that kills one with SIGKILL (KilledNodeIT). Not the
 * way to run Throng (that is {@code throng serve --redis ...}): it serves the test's app on a free loopback port,
 * prints {@code PORT n} and runs until it is killed.
 *
 * <pre>
 * java -cp TEST_CLASSPATH dev.throng.redis.ClusterNodeMain redis://127.0.0.1:PORT KEY_PREFIX LEASE_MS REFRESH_MS
 * </pre>
 */
public final class ClusterNodeMain {
    private ClusterNodeMain() {}

    public static void main(String[] args) throws Exception {
        RedisClusterSettings settings = RedisClusterSettings.builder(args[0])
                .keyPrefix(args[1])
                .leaseTtl(Duration.ofMillis(Long.parseLong(args[2])))
                .leaseRefresh(Duration.ofMillis(Long.parseLong(args[3])))
                .build();
        Gateway gateway = Gateway.start(
                ServerConfig.builder().host("127.0.0.1").port(0).ioThreads(1).build(),
                GatewayConfig.DEFAULTS.withApps(List.of(KilledNodeIT.MAIN)),
                RedisBroker.connect(settings));
        System.out.println("PORT " + gateway.server().port());
        System.out.flush();
        gateway.server().awaitClose();
    }
}
