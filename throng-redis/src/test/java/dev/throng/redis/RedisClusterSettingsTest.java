package dev.throng.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Every default has its reason (on the record); every bad value is refused when built, naming the setting. */
class RedisClusterSettingsTest {

    @Test
    void hasTheDocumentedDefaults() {
        RedisClusterSettings s = RedisClusterSettings.of("redis://10.0.0.5:6379/2");
        assertThat(s.keyPrefix()).isEqualTo("throng");
        assertThat(s.leaseTtl()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.leaseRefresh()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.expiryBound())
                .as("docs/cluster.md: a dead node's members go within 40 s")
                .isEqualTo(Duration.ofSeconds(40));
        assertThat(s.quotaSync()).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.commandTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.reconnectMaxDelay()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void aShorterLeaseBringsItsRefreshAlong() {
        assertThat(RedisClusterSettings.builder("redis://h")
                        .leaseTtl(Duration.ofSeconds(3))
                        .build()
                        .leaseRefresh())
                .isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void refusesBadValuesNamingTheSetting() {
        assertThatThrownBy(() -> RedisClusterSettings.of("http://nope"))
                .hasMessageStartingWith("redis uri must be a " + "Redis URI");
        assertThatThrownBy(() -> RedisClusterSettings.of("localhost:6379")).hasMessageContaining("redis uri");
        assertThatThrownBy(() -> RedisClusterSettings.of("redis://h:63x9"))
                .hasMessageContaining("redis uri")
                .hasMessageContaining("a port that is not a number");
        assertThatThrownBy(() -> RedisClusterSettings.of("redis://my_redis:6379"))
                .hasMessageContaining("redis uri");
        assertThat(RedisClusterSettings.of("redis://my_redis").uri()).isEqualTo("redis://my_redis");
        assertThatThrownBy(() -> RedisClusterSettings.of("redis://h/db")).hasMessageContaining("redis uri");
        assertThatThrownBy(() -> RedisClusterSettings.builder("redis://h")
                        .keyPrefix("a b")
                        .build())
                .hasMessageContaining("keyPrefix");
        assertThatThrownBy(() -> RedisClusterSettings.builder("redis://h")
                        .leaseRefresh(Duration.ofSeconds(20))
                        .build())
                .hasMessageContaining("leaseRefresh");
        assertThatThrownBy(() -> RedisClusterSettings.builder("redis://h")
                        .leaseTtl(Duration.ofMillis(10))
                        .build())
                .hasMessageContaining("leaseTtl");
        assertThatThrownBy(() -> RedisClusterSettings.builder("redis://h")
                        .quotaSync(Duration.ZERO)
                        .build())
                .hasMessageContaining("quotaSync");
        assertThatThrownBy(() -> RedisClusterSettings.builder("redis://h")
                        .commandTimeout(null)
                        .build())
                .hasMessageContaining("commandTimeout");
    }

    @Test
    void masksCredentialsWhenPrinted() {
        RedisClusterSettings s = RedisClusterSettings.of("rediss://user:s3cret@redis.internal:6380/1");
        assertThat(s.maskedUri()).isEqualTo("rediss://***@redis.internal:6380/1");
        assertThat(s.toString()).doesNotContain("s3cret");
        assertThat(RedisClusterSettings.of("redis://h:1").maskedUri()).isEqualTo("redis://h:1");
        assertThatThrownBy(() -> RedisClusterSettings.of("redis://:s3cret@h/notadb"))
                .hasMessageContaining("redis uri")
                .hasMessageContaining("redis://***@h/notadb")
                .hasMessageNotContaining("s3cret");
        assertThat(RedisClusterSettings.of("redis-socket:///run/redis.sock").uri())
                .endsWith("redis.sock");
    }
}
