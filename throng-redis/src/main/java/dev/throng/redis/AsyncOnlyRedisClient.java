package dev.throng.redis;

import io.lettuce.core.RedisChannelWriter;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.pubsub.PubSubEndpoint;
import io.lettuce.core.pubsub.RedisPubSubReactiveCommandsImpl;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnectionImpl;
import io.lettuce.core.pubsub.api.reactive.RedisPubSubReactiveCommands;
import io.lettuce.core.pubsub.api.sync.RedisPubSubCommands;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;

/**
 * A {@link RedisClient} whose pub/sub connections have the asynchronous API only, the one the broker uses.
 *
 * <p>Lettuce builds all three APIs of a connection when it makes it. The synchronous one is a proxy whose method map
 * holds a {@code Method} object for each of its commands and their asynchronous twins (about 7,000); with the reactive
 * one, 3.4 MiB of live heap in every gateway worker (docs/benchmarks.md section 24), and a cluster on this box runs 53
 * of them. Lettuce documents these factory methods as the ones to override.
 */
final class AsyncOnlyRedisClient extends RedisClient {
    AsyncOnlyRedisClient(ClientResources resources, RedisURI uri) {
        super(resources, uri);
    }

    @Override
    protected <K, V> StatefulRedisPubSubConnectionImpl<K, V> newStatefulRedisPubSubConnection(
            PubSubEndpoint<K, V> endpoint, RedisChannelWriter writer, RedisCodec<K, V> codec, Duration timeout) {
        return new AsyncOnlyConnection<>(endpoint, writer, codec, timeout);
    }

    /** The connection: {@link #async()} as Lettuce's; {@link #sync()} and {@link #reactive()} refused. */
    private static final class AsyncOnlyConnection<K, V> extends StatefulRedisPubSubConnectionImpl<K, V> {
        AsyncOnlyConnection(
                PubSubEndpoint<K, V> endpoint, RedisChannelWriter writer, RedisCodec<K, V> codec, Duration timeout) {
            super(endpoint, writer, codec, timeout);
        }

        @Override
        protected RedisPubSubCommands<K, V> newRedisSyncCommandsImpl() {
            return null; // called by the superclass constructor; see the class comment
        }

        @Override
        protected RedisPubSubReactiveCommandsImpl<K, V> newRedisReactiveCommandsImpl() {
            return null;
        }

        @Override
        public RedisPubSubCommands<K, V> sync() {
            throw new UnsupportedOperationException("Throng's Redis connection has the async API only");
        }

        @Override
        public RedisPubSubReactiveCommands<K, V> reactive() {
            throw new UnsupportedOperationException("Throng's Redis connection has the async API only");
        }
    }
}
